package app

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
)

// The console against a cluster of 256 shards. Without --shards it used the
// default 1024: the Trace pane said "shard 894 of 256 ... no leader (an
// election?)" and the Keys pane failed to list keys. Now it takes the
// cluster's count at start and says so; a --shards the user chose that
// differs is kept and said at start as an error.
func TestConsoleTakesTheClustersShardCount(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 256, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	nodes := strings.Join(cl.Addrs(), ",")
	for _, tc := range []struct {
		args       []string
		want       int
		notice     string
		noticeErrs bool
	}{
		{[]string{"--nodes", nodes}, 256, "the cluster has 256 shards: using 256 (not the default 1024)", false},
		{[]string{"--nodes", nodes, "--shards", "1024"}, 1024, "--shards is 1024, but the cluster has 256 shards", true},
		{[]string{"--nodes", nodes, "--shards", "256"}, 256, "", false},
	} {
		f, err := ParseFlags(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Resolve(f, emptyFile())
		if err != nil {
			t.Fatal(err)
		}
		sess, err := Start(ctx, s, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		got := sess.Client.Config().TotalShards
		notice, isErr := sess.Notice, sess.NoticeIsError
		_ = sess.Close()
		if got != tc.want || !strings.HasPrefix(notice, tc.notice) || (tc.notice == "") != (notice == "") || isErr != tc.noticeErrs {
			t.Errorf("%v: client for %d shards, notice %q (error %v); want %d shards, notice %q (error %v)",
				tc.args, got, notice, isErr, tc.want, tc.notice, tc.noticeErrs)
		}
	}
}
