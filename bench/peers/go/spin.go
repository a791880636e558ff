package main

// spin is the benchmark's CPU kernel: an xorshift walk whose outputs are
// multiplied and summed, all on wrapping unsigned 64-bit arithmetic.
func spin(seed uint64, iters int) uint64 {
	x := 2*seed + 1
	var acc uint64
	for n := 0; n < iters; n++ {
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		acc += x * 0x2545F4914F6CDD1D
	}
	return acc
}
