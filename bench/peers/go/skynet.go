package main

import (
	"log"
	"time"
)

// runSkynet is the classic skynet: a goroutine per node of a ten-wide tree
// with skynetLeaves leaves, each inner one starting its ten children and
// summing what they send on its channel; leaf i sends i. The checksum is the
// sum of 0 .. leaves - 1, which the run checks.
func runSkynet(cfg config, start time.Time) part {
	result := make(chan uint64)
	leaves := uint64(cfg.skynetLeaves)
	go skynet(result, 0, leaves)
	sum := <-result
	elapsed := time.Since(start)
	if want := leaves * (leaves - 1) / 2; sum != want {
		log.Fatalf("skynet: the root returned %d, want %d", sum, want)
	}
	tasks := 0
	for level := cfg.skynetLeaves; level > 0; level /= 10 {
		tasks += level
	}
	return part{lat: []time.Duration{elapsed}, checksum: sum, elapsed: elapsed, tasks: tasks}
}

func skynet(out chan<- uint64, first, leaves uint64) {
	if leaves == 1 {
		out <- first
		return
	}
	each := leaves / 10
	children := make(chan uint64)
	for i := uint64(0); i < 10; i++ {
		go skynet(children, first+i*each, each)
	}
	var sum uint64
	for i := 0; i < 10; i++ {
		sum += <-children
	}
	out <- sum
}
