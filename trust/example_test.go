package trust_test

import (
	"fmt"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/trust"
)

// The CUBE regenerated its certificate; cucm7-pub's CallManager-trust
// export still holds the old one (testdata's sample story).
func ExampleStore_Judge() {
	store, err := trust.LoadPath("../testdata/trust/cucm7-pub-CallManager-trust", "10.10.1.11")
	if err != nil {
		fmt.Println(err)
		return
	}
	presented, err := trust.LoadPath("../testdata/certs/cube1.pem", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	capture := time.Date(2026, 11, 20, 14, 3, 51, 0, time.UTC)
	j := store.Judge([]*certinfo.Info{presented.Certs[0].Info}, capture, diagnose.Client)
	fmt.Println(j.Status, j.File)
	fmt.Println(j.Detail)
	// Output:
	// stale_copy cube1.lab.der
	// The trust folder of 10.10.1.11 holds another certificate for CN=cube1.lab: cube1.lab.der, serial 1a934fac5bfeb0011d633e90b25d31f2, valid 2022-04-11 to 2027-04-10, while the peer presents serial 503d5eefd510d12d08cdf3c7c731a607, valid 2025-08-05 to 2030-01-01; replace cube1.lab.der with the certificate the peer presents now.
}

func ExampleParseExpectNames() {
	peer, names := trust.ParseExpectNames("10.20.1.21=cucm8-pub.clus2.lab, CUCM8-SUB1.clus2.lab")
	fmt.Println(peer, names)
	peer, names = trust.ParseExpectNames("cube1.lab")
	fmt.Printf("%q %v\n", peer, names)
	// Output:
	// 10.20.1.21 [cucm8-pub.clus2.lab cucm8-sub1.clus2.lab]
	// "" [cube1.lab]
}
