package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/norikv/norikv-console/client"
)

// driver is one system behind the same two operations.
type driver interface {
	Put(ctx context.Context, key, value []byte) error
	Get(ctx context.Context, key []byte) error
	Close() error
}

func newDriver(system, endpoints string, totalShards int) (driver, error) {
	eps := strings.Split(endpoints, ",")
	switch system {
	case "etcd":
		c, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			return nil, fmt.Errorf("etcd client: %w", err)
		}
		return etcdDriver{c}, nil
	case "norikv":
		c, err := client.New(client.Config{Nodes: eps, TotalShards: totalShards})
		if err != nil {
			return nil, fmt.Errorf("norikv client: %w", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Connect(ctx); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("norikv connect: %w", err)
		}
		return norikvDriver{c}, nil
	}
	return nil, fmt.Errorf("unknown system %q (etcd or norikv)", system)
}

type etcdDriver struct{ c *clientv3.Client }

func (d etcdDriver) Put(ctx context.Context, key, value []byte) error {
	_, err := d.c.Put(ctx, string(key), string(value))
	return err
}

// Get is linearizable: etcd's default (not WithSerializable).
func (d etcdDriver) Get(ctx context.Context, key []byte) error {
	_, err := d.c.Get(ctx, string(key))
	return err
}

func (d etcdDriver) Close() error { return d.c.Close() }

type norikvDriver struct{ c *client.Client }

// Put goes through the client as an application would (it attaches a
// fresh idempotency key, as it does by default).
func (d norikvDriver) Put(ctx context.Context, key, value []byte) error {
	_, err := d.c.Put(ctx, key, value, nil)
	return err
}

func (d norikvDriver) Get(ctx context.Context, key []byte) error {
	_, err := d.c.Get(ctx, key, &client.GetOptions{Consistency: client.ConsistencyLinearizable})
	return err
}

func (d norikvDriver) Close() error { return d.c.Close() }
