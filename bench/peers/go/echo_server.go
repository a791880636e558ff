package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
)

// echoServer listens on addr, prints the bound address on the first line,
// and echoes every line each connection sends, a goroutine per connection,
// until the process is killed.
func echoServer(addr string) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(listener.Addr())
	for {
		c, err := listener.Accept()
		if err != nil {
			log.Print(err)
			continue
		}
		go echo(c)
	}
}

func echo(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if _, err := c.Write(line); err != nil {
			return
		}
	}
}
