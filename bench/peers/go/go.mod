module switchyard/bench/peers/go

go 1.19
