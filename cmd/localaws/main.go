// Command localaws serves a local Elastic Beanstalk, ECS and CloudWatch Logs
// from a seed file, on a loopback address, until SIGINT or SIGTERM.
//
//	go run ./cmd/localaws -seed seed.json [-addr 127.0.0.1:0]
//
// Its first line of output is "localaws listening on http://127.0.0.1:PORT".
//
//	go run ./cmd/localaws capture -environment NAME [-region R] [-profile P] [-out seed.json]
//
// reads a real Elastic Beanstalk environment and writes a seed of the same
// shape with every value replaced (internal/localaws/capture).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws/capture"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "capture" {
		if err := capture.Run(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "localaws:", err)
			os.Exit(1)
		}
		return
	}
	seedPath := flag.String("seed", "", "seed file (JSON) describing environments, images, secrets and faults")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	if err := run(*seedPath, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "localaws:", err)
		os.Exit(1)
	}
}

func run(seedPath, addr string) error {
	if seedPath == "" {
		return fmt.Errorf("-seed is required")
	}
	seed, err := localaws.LoadSeed(seedPath)
	if err != nil {
		return err
	}
	srv, err := localaws.New(seed)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Listen(addr); err != nil {
		return err
	}
	fmt.Printf("localaws listening on %s\n", srv.URL())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	<-sigs
	return nil
}
