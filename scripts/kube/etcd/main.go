// Command etcd is the etcd server, built from the module graph that kube-apiserver pins
// (go.etcd.io/etcd/server/v3), so the test control plane runs the etcd it was released with.
// etcd's own root module uses replace directives, which makes `go install` of it impossible.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
