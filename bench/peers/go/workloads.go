package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

const (
	fastReply = 1024
	slowReply = 64
)

// part is what one workload leaves behind: the latency of each task from its
// submission to its completion, a checksum, and when it finished, measured
// from the start of the run. tasks, when not zero, counts tasks whose
// latencies are not kept one by one (fib, skynet: only the root's).
type part struct {
	lat      []time.Duration
	checksum uint64
	elapsed  time.Duration
	tasks    int
}

// runCPU starts one goroutine per spin(i, iters).
func runCPU(cfg config, start time.Time) part {
	return spinEach(cfg.cpuTasks, cfg.iters, nil, start)
}

// spinEach starts one goroutine per spin(i, iters) for i in [0, tasks), each
// holding `lock` (when there is one) for the whole of its spin.
func spinEach(tasks, iters int, lock *sync.Mutex, start time.Time) part {
	lat := make([]time.Duration, tasks)
	var sum uint64
	var wg sync.WaitGroup
	for i := 0; i < tasks; i++ {
		wg.Add(1)
		submitted := time.Now()
		go func(i int) {
			defer wg.Done()
			if lock != nil {
				lock.Lock()
				defer lock.Unlock()
			}
			atomic.AddUint64(&sum, spin(uint64(i), iters))
			lat[i] = time.Since(submitted)
		}(i)
	}
	wg.Wait()
	return part{lat: lat, checksum: sum, elapsed: time.Since(start)}
}

// runFast starts one goroutine per request; the requests share fastConns
// persistent connections, handed out through a channel as a client
// library's connection pool would.
func runFast(cfg config, start time.Time) part {
	pool := make(chan net.Conn, cfg.fastConns)
	for i := 0; i < cfg.fastConns; i++ {
		pool <- dial(cfg.server)
	}
	lat := make([]time.Duration, cfg.fastRequests)
	var received uint64
	var wg sync.WaitGroup
	for i := 0; i < cfg.fastRequests; i++ {
		wg.Add(1)
		submitted := time.Now()
		go func(i int) {
			defer wg.Done()
			buf := make([]byte, fastReply)
			c := <-pool
			if err := request(c, cfg.fastDelayUs, buf); err != nil {
				log.Fatal(err)
			}
			pool <- c
			atomic.AddUint64(&received, fastReply)
			lat[i] = time.Since(submitted)
		}(i)
	}
	wg.Wait()
	for i := 0; i < cfg.fastConns; i++ {
		(<-pool).Close()
	}
	return part{lat: lat, checksum: received, elapsed: time.Since(start)}
}

// runSlow starts one goroutine per connection; each dials its own and makes
// its requests one after the other. A task is one connection.
func runSlow(cfg config, start time.Time) part {
	lat := make([]time.Duration, cfg.slowConns)
	var received uint64
	var wg sync.WaitGroup
	for i := 0; i < cfg.slowConns; i++ {
		wg.Add(1)
		submitted := time.Now()
		go func(i int) {
			defer wg.Done()
			c := dial(cfg.server)
			defer c.Close()
			buf := make([]byte, slowReply)
			for r := 0; r < cfg.slowRequests; r++ {
				if err := request(c, cfg.slowDelayUs, buf); err != nil {
					log.Fatal(err)
				}
				atomic.AddUint64(&received, slowReply)
			}
			lat[i] = time.Since(submitted)
		}(i)
	}
	wg.Wait()
	return part{lat: lat, checksum: received, elapsed: time.Since(start)}
}

func dial(server string) net.Conn {
	c, err := net.Dial("tcp", server)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// request asks the delay server for len(buf) bytes after delayUs and reads
// the whole reply into buf.
func request(c net.Conn, delayUs int, buf []byte) error {
	if _, err := fmt.Fprintf(c, "D %d %d\n", delayUs, len(buf)); err != nil {
		return err
	}
	if n, err := io.ReadFull(c, buf); err != nil {
		return fmt.Errorf("reply %q: %w", buf[:n], err)
	}
	if buf[len(buf)-1] != '\n' {
		return fmt.Errorf("reply of %d bytes does not end in a newline", len(buf))
	}
	return nil
}
