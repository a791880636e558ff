package main

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// runLock starts one goroutine per spin(i, iters), each holding one mutex
// for the whole of it: a non-thread-safe library guarded by a single lock.
// A Go program has no other process to run it in, so the tasks serialize.
func runLock(cfg config, start time.Time) part {
	var library sync.Mutex
	return spinEach(cfg.lockTasks, cfg.iters, &library, start)
}

// runPhase runs phaseTasks goroutines of which the first half each dial the
// delay server and make one request, the second half each spin; at most
// phaseWindow at once, the next started when the oldest has finished, as
// switchyard-bench's phase does. Go places nothing, so nothing has to move.
func runPhase(cfg config, start time.Time) part {
	lat := make([]time.Duration, cfg.phaseTasks)
	half := cfg.phaseTasks / 2
	var sum uint64
	done := make([]chan struct{}, cfg.phaseTasks)
	for i := 0; i < cfg.phaseTasks; i++ {
		if i >= cfg.phaseWindow {
			<-done[i-cfg.phaseWindow]
		}
		done[i] = make(chan struct{})
		submitted := time.Now()
		go func(i int) {
			defer close(done[i])
			if i < half {
				c := dial(cfg.server)
				defer c.Close()
				buf := make([]byte, slowReply)
				if err := request(c, cfg.phaseDelayUs, buf); err != nil {
					panic(err)
				}
				atomic.AddUint64(&sum, slowReply)
			} else {
				atomic.AddUint64(&sum, spin(uint64(i), cfg.iters))
			}
			lat[i] = time.Since(submitted)
		}(i)
	}
	for _, d := range done {
		<-d // closed already, but for the last window
	}
	return part{lat: lat, checksum: sum, elapsed: time.Since(start)}
}

const tickPeriod = time.Millisecond

// runStall runs stallTicks goroutines ticking every millisecond for
// stallDurationMs, staggered across the period, beside stallTasks goroutines
// that each block their thread for 200 ms in a system call the runtime
// cannot see (nanosleep; Go hands the blocked thread's other goroutines to
// another thread). Every tick that came due while a goroutine slept counts as
// late by how long ago it was due, as in switchyard-bench's stall. The
// latencies returned are the ticks' lateness; the checksum is their count.
func runStall(cfg config, start time.Time) part {
	end := start.Add(time.Duration(cfg.stallDurationMs) * time.Millisecond)
	lateness := make([][]time.Duration, cfg.stallTicks)
	var wg sync.WaitGroup
	for i := 0; i < cfg.stallTicks; i++ {
		wg.Add(1)
		first := start.Add(tickPeriod + tickPeriod*time.Duration(i)/time.Duration(cfg.stallTicks))
		go func(i int) {
			defer wg.Done()
			for due := first; due.Before(end); {
				time.Sleep(time.Until(due))
				now := time.Now()
				for ; !due.After(now) && due.Before(end); due = due.Add(tickPeriod) {
					lateness[i] = append(lateness[i], now.Sub(due))
				}
			}
		}(i)
	}
	for i := 0; i < cfg.stallTasks; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nap := syscall.Timespec{Nsec: 200 * int64(time.Millisecond)}
			syscall.Nanosleep(&nap, nil)
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lateness {
		all = append(all, l...)
	}
	return part{lat: all, checksum: uint64(len(all)), elapsed: time.Since(start)}
}
