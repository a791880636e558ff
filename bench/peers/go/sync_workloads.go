package main

import (
	"log"
	"sync"
	"time"
)

// runPingPong passes a number back and forth between two goroutines over two
// unbuffered channels pingpongRounds times. The checksum is the sum of the
// numbers the echoing goroutine saw.
func runPingPong(cfg config, start time.Time) part {
	rounds := uint64(cfg.pingpongRounds)
	ping := make(chan uint64)
	pong := make(chan uint64)
	sums := make(chan uint64)
	go func() {
		var sum uint64
		for v := range ping {
			sum += v
			pong <- v
		}
		sums <- sum
	}()
	for i := uint64(0); i < rounds; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	sum := <-sums
	elapsed := time.Since(start)
	if want := rounds * (rounds - 1) / 2; sum != want {
		log.Fatalf("pingpong: the echoing goroutine saw %d, want %d", sum, want)
	}
	return part{lat: []time.Duration{elapsed}, checksum: sum, elapsed: elapsed, tasks: 2}
}

// runChannel passes channelValues numbers from 4 sending goroutines through
// one channel of channelCapacity to 4 receiving goroutines.
func runChannel(cfg config, start time.Time) part {
	const senders, receivers = 4, 4
	values := uint64(cfg.channelValues)
	ch := make(chan uint64, cfg.channelCapacity)
	var sent sync.WaitGroup
	for s := uint64(0); s < senders; s++ {
		sent.Add(1)
		go func(s uint64) {
			defer sent.Done()
			for v := s; v < values; v += senders {
				ch <- v
			}
		}(s)
	}
	go func() {
		sent.Wait()
		close(ch)
	}()
	sums := make(chan uint64)
	for r := 0; r < receivers; r++ {
		go func() {
			var sum uint64
			for v := range ch {
				sum += v
			}
			sums <- sum
		}()
	}
	var sum uint64
	for r := 0; r < receivers; r++ {
		sum += <-sums
	}
	elapsed := time.Since(start)
	if want := values * (values - 1) / 2; sum != want {
		log.Fatalf("channel: the receivers summed %d, want %d", sum, want)
	}
	return part{lat: []time.Duration{elapsed}, checksum: sum, elapsed: elapsed,
		tasks: senders + receivers}
}

// runMutex has mutexTasks goroutines each increment one counter
// mutexIncrements times under one sync.Mutex.
func runMutex(cfg config, start time.Time) part {
	var mu sync.Mutex
	var counter uint64
	var wg sync.WaitGroup
	for t := 0; t < cfg.mutexTasks; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < cfg.mutexIncrements; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if want := uint64(cfg.mutexTasks) * uint64(cfg.mutexIncrements); counter != want {
		log.Fatalf("mutex: the counter reached %d, want %d", counter, want)
	}
	return part{lat: []time.Duration{elapsed}, checksum: counter, elapsed: elapsed,
		tasks: cfg.mutexTasks}
}
