#!/usr/bin/env bash
# Regenerates the committed Go code from the .proto files. Builds never run
# this; run it after editing a .proto. Needs protoc (Debian: protobuf-compiler)
# and the Go plugins:
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$(go env GOPATH)/bin:$PATH"
mkdir -p norikvpb consolepb
protoc -I . \
  --go_out=. --go_opt=module=github.com/norikv/norikv-console/proto \
  --go-grpc_out=. --go-grpc_opt=module=github.com/norikv/norikv-console/proto \
  norikv.proto console.proto
