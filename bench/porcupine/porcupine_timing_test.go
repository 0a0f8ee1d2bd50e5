package porcupine

import (
	"fmt"
	"testing"
	"time"
)

// Times CheckEvents on every etcd log and kv file, verdict only, best of 5 runs each.
// Ours, not part of Porcupine: bench/porcupine/porcupine_times.sh copies it into a
// Porcupine checkout (it uses the parsers and models of Porcupine's own tests).
func TestTimeAll(t *testing.T) {
	total := time.Duration(0)
	timeOne := func(name string, model Model, events []Event) {
		best := time.Hour
		for r := 0; r < 5; r++ {
			start := time.Now()
			CheckEvents(model, events)
			if d := time.Since(start); d < best {
				best = d
			}
		}
		total += best
		fmt.Printf("%s %v\n", name, best)
	}
	for i := 0; i <= 102; i++ {
		if i == 95 { // no expected verdict in porcupine_test.go
			continue
		}
		name := fmt.Sprintf("etcd_%03d", i)
		timeOne(name, etcdModel, parseJepsenLog(fmt.Sprintf("test_data/jepsen/%s.log", name)))
	}
	fmt.Printf("etcd total %v\n", total)
	for _, name := range []string{"c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"} {
		timeOne(name, kvModel, parseKvLog(fmt.Sprintf("test_data/kv/%s.txt", name)))
	}
	fmt.Printf("total %v\n", total)
}
