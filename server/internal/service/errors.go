package service

import (
	"context"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
)

// LeaderHintKey is the trailer carrying the leader's client address.
const LeaderHintKey = "leader-hint"

// toStatus turns a node error into the gRPC status of PROTOCOL.md §4,
// setting the leader-hint trailer on NOT_LEADER.
func toStatus(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var nl *node.NotLeaderError
	switch {
	case errors.As(err, &nl):
		if nl.Hint != "" {
			_ = grpc.SetTrailer(ctx, metadata.Pairs(LeaderHintKey, nl.Hint))
		}
		return status.Error(codes.Unavailable, "NOT_LEADER")
	case errors.Is(err, node.ErrShuttingDown):
		return status.Error(codes.Unavailable, "node is shutting down: retry on another node")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unavailable, err.Error())
}

// resultStatus maps a failed state machine outcome to its status.
func resultStatus(r kvstore.Result) error {
	switch r.Outcome {
	case kvstore.OK:
		return nil
	case kvstore.VersionMismatch, kvstore.KeyMissing:
		return status.Error(codes.FailedPrecondition, r.Message)
	case kvstore.IdemConflict, kvstore.Invalid:
		return status.Error(codes.InvalidArgument, r.Message)
	case kvstore.NotFound:
		return status.Error(codes.NotFound, r.Message)
	case kvstore.AlreadyExists:
		return status.Error(codes.AlreadyExists, r.Message)
	}
	return status.Error(codes.Internal, r.Message)
}
