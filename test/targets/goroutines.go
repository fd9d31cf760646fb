// Target for the remote-syscall engine: a real Go runtime, the case the design warns about.
// Goroutines run on small stacks (2 KiB at first) carved from heap spans, packed next to each
// other; they grow and move when a call goes deeper, the garbage collector scans them, and the
// runtime's sysmon preempts busy goroutines with SIGURG. Every goroutine checks its own stack:
// each frame of a recursive walk fills an array, the deepest frame parks (sleep or channel),
// and on the way back every frame checks its array; a byte changed under a parked goroutine
// counts in `bad`. The garbage collector runs several times a second (GOGC=10). Busy
// goroutines check a computation. Locked goroutines hold OS threads of their own
// (runtime.LockOSThread) blocked in read(2) on a pipe, so the process has as many threads as
// asked; at the end each reports its thread's policy from its own get_mempolicy.
//
// Usage: goroutines key=value...  goroutines=N (parked walkers, 1000) busy=N (1) locked=N (4)
// Prints "ready <pid>" once everything runs. On EOF on stdin everything stops and it prints
// "result bad=N checks=N surprises=N ...", one "thread TID kind=locked mode=M mask=HEX" line per
// locked thread, and "done".
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const sysGetMempolicy = 239 // x86_64

var (
	stop      atomic.Bool
	bad       atomic.Int64
	checks    atomic.Int64
	surprises atomic.Int64
)

//go:noinline
func mix(id, depth, i uint64) uint64 {
	x := id*0x9e3779b97f4a7c15 ^ depth*0xbf58476d1ce4e5b9 ^ i*0x94d049bb133111eb
	return x ^ x>>31
}

// walk fills a frame, goes deeper, parks at the bottom, and checks the frame on the way back.
//
//go:noinline
func walk(id, depth uint64, park func()) uint64 {
	var a [24]uint64
	for i := range a {
		a[i] = mix(id, depth, uint64(i))
	}
	var sub uint64
	if depth > 0 {
		sub = walk(id, depth-1, park)
	} else {
		park()
	}
	var sum uint64
	for i := range a {
		if a[i] != mix(id, depth, uint64(i)) {
			bad.Add(1)
		}
		sum += a[i]
	}
	return sum ^ sub
}

func expected(id, depth uint64) uint64 {
	var sub uint64
	for d := uint64(0); d <= depth; d++ {
		var sum uint64
		for i := uint64(0); i < 24; i++ {
			sum += mix(id, d, i)
		}
		sub ^= sum
	}
	return sub
}

func walker(id int, partner chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for round := 0; !stop.Load(); round++ {
		// 1 to 12 frames of ~200 bytes: the stack grows past 2 KiB and is moved, and shrinks at GC.
		depth := uint64(1 + (id+round)%12)
		park := func() { time.Sleep(time.Duration(1+id%7) * time.Millisecond) }
		if partner != nil && round%2 == 1 {
			park = func() {
				select {
				case partner <- id:
				case <-partner:
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		if walk(uint64(id), depth, park) != expected(uint64(id), depth) {
			bad.Add(1)
		}
		checks.Add(1)
	}
}

func busy(id int, wg *sync.WaitGroup) {
	defer wg.Done()
	for !stop.Load() {
		var x uint64 = uint64(id)
		for i := 0; i < 200000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		var y uint64 = uint64(id)
		for i := 0; i < 200000; i++ {
			y = y*6364136223846793005 + 1442695040888963407
		}
		if x != y {
			bad.Add(1)
		}
		checks.Add(1)
	}
}

// collector allocates garbage steadily; with GOGC at 10% the garbage collector runs several
// times a second, scanning the parked stacks and shrinking them.
func collector(wg *sync.WaitGroup) {
	defer wg.Done()
	var keep [][]byte
	for !stop.Load() {
		keep = append(keep, make([]byte, 16<<10))
		if len(keep) > 256 {
			keep = keep[:0]
		}
		time.Sleep(200 * time.Microsecond)
	}
}

type threadReport struct {
	tid  int
	mode int64
	mask uint64
}

// locked holds an OS thread of its own, blocked in read(2) until the end.
func locked(fd int, started *sync.WaitGroup, out chan<- threadReport) {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	started.Done()
	var b [1]byte
	for {
		n, err := syscall.Read(fd, b[:])
		if err == syscall.EINTR {
			// SA_RESTART handlers: the program never sees EINTR from read unless something broke.
			surprises.Add(1)
			continue
		}
		if err != nil || n != 1 {
			surprises.Add(1)
		}
		break
	}
	var mode int64
	var mask [16]uint64
	_, _, errno := syscall.RawSyscall6(sysGetMempolicy, uintptr(unsafe.Pointer(&mode)), uintptr(unsafe.Pointer(&mask[0])), 1024, 0, 0, 0)
	if errno != 0 {
		surprises.Add(1)
	}
	out <- threadReport{tid, mode, mask[0]}
}

func main() {
	opts := map[string]int{"goroutines": 1000, "busy": 1, "locked": 4}
	for _, a := range os.Args[1:] {
		k, v, ok := strings.Cut(a, "=")
		n, err := strconv.Atoi(v)
		if _, known := opts[k]; !ok || !known || err != nil {
			fmt.Fprintf(os.Stderr, "bad argument %q\n", a)
			os.Exit(2)
		}
		opts[k] = n
	}
	debug.SetGCPercent(10)
	var wg sync.WaitGroup
	var pairs chan int
	for i := 0; i < opts["goroutines"]; i++ {
		if i%2 == 0 {
			pairs = make(chan int)
		}
		wg.Add(1)
		go walker(i, pairs, &wg)
	}
	for i := 0; i < opts["busy"]; i++ {
		wg.Add(1)
		go busy(i, &wg)
	}
	wg.Add(1)
	go collector(&wg)

	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	var started sync.WaitGroup
	reports := make(chan threadReport, opts["locked"])
	for i := 0; i < opts["locked"]; i++ {
		started.Add(1)
		go locked(fds[0], &started, reports)
	}
	started.Wait()
	// Let every walker run a round, so their stacks have grown and been parked.
	for checks.Load() < int64(opts["goroutines"]) {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("ready %d\n", os.Getpid())

	io.Copy(io.Discard, os.Stdin)
	stop.Store(true)
	wg.Wait()
	for i := 0; i < opts["locked"]; i++ {
		syscall.Write(fds[1], []byte{1})
	}
	var threads []threadReport
	for i := 0; i < opts["locked"]; i++ {
		threads = append(threads, <-reports)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("result bad=%d checks=%d surprises=%d gcs=%d goroutines=%d\n", bad.Load(), checks.Load(), surprises.Load(), mem.NumGC, opts["goroutines"])
	for _, t := range threads {
		fmt.Printf("thread %d kind=locked mode=%d mask=%x\n", t.tid, t.mode, t.mask)
	}
	fmt.Println("done")
}
