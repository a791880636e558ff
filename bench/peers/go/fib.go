package main

import (
	"sync"
	"time"
)

// runFib computes fib(fibN) fork-join: every call above fibCutoff starts its
// two children as goroutines and waits for them on a sync.WaitGroup, the
// others compute sequentially. The checksum is fib(fibN); the only latency is
// the whole run's, and `tasks` counts every call.
func runFib(cfg config, start time.Time) part {
	value := fibTasked(cfg.fibN, cfg.fibCutoff)
	elapsed := time.Since(start)
	return part{lat: []time.Duration{elapsed}, checksum: value, elapsed: elapsed,
		tasks: fibTasks(cfg.fibN, cfg.fibCutoff)}
}

func fibTasked(n, cutoff int) uint64 {
	if n <= cutoff {
		return fibSequential(n)
	}
	var a, b uint64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a = fibTasked(n-1, cutoff)
	}()
	go func() {
		defer wg.Done()
		b = fibTasked(n-2, cutoff)
	}()
	wg.Wait()
	return a + b
}

func fibSequential(n int) uint64 {
	if n < 2 {
		return uint64(n)
	}
	return fibSequential(n-1) + fibSequential(n-2)
}

// fibTasks is how many calls fibTasked(n, cutoff) makes: the root, and two
// children for every call above the cutoff.
func fibTasks(n, cutoff int) int {
	below, previous := 1, 1
	for k := 2; k <= n; k++ {
		calls := 1
		if k > cutoff {
			calls = 1 + previous + below
		}
		below, previous = previous, calls
	}
	return previous
}
