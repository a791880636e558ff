// Command go-peer runs Switchyard's benchmark workloads the way Go programs
// do: a goroutine per task and blocking net.Conn I/O, with Go's scheduler
// and netpoller deciding where everything runs.
//
// Usage: go-peer cpu|fastio|slowio|mixed|phase|lock|stall|fib|skynet|pingpong|channel|mutex|check [flags],
// or go-peer echo-server [--addr 127.0.0.1:0].
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	server                                  string
	cpuTasks, iters                         int
	fastRequests, fastConns, fastDelayUs    int
	slowConns, slowRequests, slowDelayUs    int
	phaseTasks, phaseWindow, phaseDelayUs   int
	lockTasks                               int
	stallTasks, stallTicks, stallDurationMs int
	fibN, fibCutoff                         int
	skynetLeaves                            int
	pingpongRounds                          int
	channelValues, channelCapacity          int
	mutexTasks, mutexIncrements             int
}

// workloads are the parts of mixed, each also run on its own; others run only
// on their own.
var workloads = map[string]func(config, time.Time) part{
	"cpu":    runCPU,
	"fastio": runFast,
	"slowio": runSlow,
}
var others = map[string]func(config, time.Time) part{
	"phase":    runPhase,
	"lock":     runLock,
	"stall":    runStall,
	"fib":      runFib,
	"skynet":   runSkynet,
	"pingpong": runPingPong,
	"channel":  runChannel,
	"mutex":    runMutex,
}

// needsServer says whether a workload talks to the delay server.
var needsServer = map[string]bool{"fastio": true, "slowio": true, "mixed": true, "phase": true}

type summary struct {
	Tasks     int     `json:"tasks"`
	MakespanS float64 `json:"makespan_s"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	Checksum  uint64  `json:"checksum"`
}

type report struct {
	Workload  string `json:"workload"`
	Placement string `json:"placement"`
	summary
	CPUS     float64 `json:"cpu_s"`
	MaxRSSKB int64   `json:"max_rss_kb"`
	VmHWMKB  int64   `json:"vm_hwm_kb"`
	// For stall, how late the ticks ran (its tasks are the ticks).
	TickP50Ms float64 `json:"tick_p50_ms,omitempty"`
	TickP99Ms float64 `json:"tick_p99_ms,omitempty"`
	TickMaxMs float64 `json:"tick_max_ms,omitempty"`
	// Parts breaks a mixed run down by workload.
	Parts map[string]summary `json:"parts,omitempty"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("go-peer: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: go-peer " +
			"cpu|fastio|slowio|mixed|phase|lock|stall|fib|skynet|pingpong|channel|mutex|check|echo-server [flags]")
	}
	workload := os.Args[1]
	var cfg config
	var addr string
	fs := flag.NewFlagSet("go-peer "+workload, flag.ExitOnError)
	fs.StringVar(&cfg.server, "server", "", "delay server `HOST:PORT`")
	fs.IntVar(&cfg.cpuTasks, "cpu-tasks", 2000, "cpu tasks")
	fs.IntVar(&cfg.iters, "iters", 200000, "spin iterations per cpu task")
	fs.IntVar(&cfg.fastRequests, "fast-requests", 4000, "fastio requests")
	fs.IntVar(&cfg.fastConns, "fast-conns", 32, "fastio persistent connections")
	fs.IntVar(&cfg.fastDelayUs, "fast-delay-us", 1000, "fastio server delay")
	fs.IntVar(&cfg.slowConns, "slow-conns", 10000, "slowio connections")
	fs.IntVar(&cfg.slowRequests, "slow-requests", 2, "requests per slowio connection")
	fs.IntVar(&cfg.slowDelayUs, "slow-delay-us", 1000000, "slowio server delay")
	fs.IntVar(&cfg.phaseTasks, "phase-tasks", 2000, "phase tasks: slow I/O for the first half, then spin")
	fs.IntVar(&cfg.phaseWindow, "phase-window", 64, "phase: most tasks in flight at once")
	fs.IntVar(&cfg.phaseDelayUs, "phase-delay-us", 20000, "phase: server delay of a first-half task")
	fs.IntVar(&cfg.lockTasks, "lock-tasks", 400, "lock tasks, each spin inside one mutex")
	fs.IntVar(&cfg.stallTasks, "stall-tasks", 4, "stall: goroutines that block their thread 200 ms")
	fs.IntVar(&cfg.stallTicks, "stall-ticks", 1000, "stall: goroutines ticking every 1 ms")
	fs.IntVar(&cfg.stallDurationMs, "stall-duration-ms", 1000, "stall: how long the ticks run")
	fs.IntVar(&cfg.fibN, "fib-n", 40, "fib: compute fib(n), 1..50")
	fs.IntVar(&cfg.fibCutoff, "fib-cutoff", 21,
		"fib: calls above it start two children, others compute")
	fs.IntVar(&cfg.skynetLeaves, "skynet-leaves", 1000000, "skynet: leaves, a power of ten up to 10^7")
	fs.IntVar(&cfg.pingpongRounds, "pingpong-rounds", 100000, "pingpong: round trips")
	fs.IntVar(&cfg.channelValues, "channel-values", 1000000, "channel: values sent in all")
	fs.IntVar(&cfg.channelCapacity, "channel-capacity", 1024, "channel: its capacity, 0 for unbuffered")
	fs.IntVar(&cfg.mutexTasks, "mutex-tasks", 1000, "mutex: goroutines")
	fs.IntVar(&cfg.mutexIncrements, "mutex-increments", 1000, "mutex: increments per goroutine")
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "echo-server: address to listen on")
	fs.Parse(os.Args[2:])
	checkTreeSizes(cfg)

	if workload == "check" {
		check()
		return
	}
	if workload == "echo-server" {
		echoServer(addr)
		return
	}
	run, ok := workloads[workload]
	if !ok {
		run, ok = others[workload]
	}
	if !ok && workload != "mixed" {
		log.Fatalf("unknown workload %q", workload)
	}
	if needsServer[workload] && cfg.server == "" {
		log.Fatal("--server is required")
	}

	start := time.Now()
	parts := map[string]part{}
	if workload == "mixed" {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, run := range workloads {
			wg.Add(1)
			go func(name string, run func(config, time.Time) part) {
				defer wg.Done()
				p := run(cfg, start)
				mu.Lock()
				parts[name] = p
				mu.Unlock()
			}(name, run)
		}
		wg.Wait()
	} else {
		parts[workload] = run(cfg, start)
	}
	makespan := time.Since(start)

	var all part
	r := report{Workload: workload, Placement: "go"}
	for name, p := range parts {
		all.lat = append(all.lat, p.lat...)
		all.tasks += p.tasks
		all.checksum += p.checksum // wrapping, like every checksum here
		if workload == "mixed" {
			if r.Parts == nil {
				r.Parts = map[string]summary{}
			}
			r.Parts[name] = summarize(p)
		}
	}
	all.elapsed = makespan
	r.summary = summarize(all)
	if workload == "stall" {
		r.TickP50Ms, r.TickP99Ms = r.P50Ms, r.P99Ms
		r.TickMaxMs = ms(all.lat[len(all.lat)-1])
	}
	r.CPUS, r.MaxRSSKB = usage()
	r.VmHWMKB = vmHWM()
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		log.Fatal(err)
	}
}

// check verifies spin against the benchmark's test vector.
func check() {
	const want uint64 = 12944723528927218710
	var sum uint64
	for i := uint64(0); i < 20; i++ {
		sum += spin(i, 200000)
	}
	if sum != want {
		log.Fatalf("spin check failed: 20 x 200000 gave %d, want %d", sum, want)
	}
	fmt.Printf("spin check ok: 20 x 200000 -> %d\n", sum)
}

// checkTreeSizes bounds fib's and skynet's trees, as switchyard-bench does.
func checkTreeSizes(cfg config) {
	if cfg.fibN < 1 || cfg.fibN > 50 || cfg.fibCutoff < 1 {
		log.Fatalf("--fib-n %d --fib-cutoff %d: n must be 1..50, the cutoff 1 or more",
			cfg.fibN, cfg.fibCutoff)
	}
	leaves := cfg.skynetLeaves
	for leaves >= 10 && leaves%10 == 0 {
		leaves /= 10
	}
	if leaves != 1 || cfg.skynetLeaves < 10 || cfg.skynetLeaves > 10000000 {
		log.Fatalf("--skynet-leaves %d: not a power of ten from 10 to 10^7", cfg.skynetLeaves)
	}
}

func summarize(p part) summary {
	sort.Slice(p.lat, func(i, j int) bool { return p.lat[i] < p.lat[j] })
	tasks := p.tasks
	if tasks == 0 {
		tasks = len(p.lat)
	}
	return summary{
		Tasks:     tasks,
		MakespanS: p.elapsed.Seconds(),
		P50Ms:     ms(quantile(p.lat, 0.50)),
		P99Ms:     ms(quantile(p.lat, 0.99)),
		Checksum:  p.checksum,
	}
}

// quantile takes the nearest rank, the rule every peer uses.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// usage returns the CPU time and peak resident set of this process.
func usage() (cpuS float64, maxRSSKB int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), ru.Maxrss // Maxrss is in KiB on Linux
}

// vmHWM returns this program's peak resident set since exec, in KiB, from
// /proc/self/status (0 if unreadable). Unlike Maxrss it does not count the
// pages of the process that started this one.
func vmHWM() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line) // VmHWM: <n> kB
			if len(fields) < 2 {
				return 0
			}
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb
		}
	}
	return 0
}
