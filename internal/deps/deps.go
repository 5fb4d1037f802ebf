package deps

import (
	_ "github.com/gopacket/gopacket/layers"
	_ "github.com/gopacket/gopacket/pcapgo"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/crypto/cryptobyte"
)
