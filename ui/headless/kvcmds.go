package headless

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/views/keys"
)

func getCommand() command {
	return command{
		name: "get", summary: "read a key: value, version, TTL, shard, served by",
		usage: help("get KEY [--consistency lease|linearizable|stale_ok] [--raw]",
			"Read KEY: its value, version (TERM/INDEX), TTL, shard and the node that served it.\n"+
				"A missing or expired key exits 3. Binary keys are written Go-quoted: '\"a\\x00b\"'.",
			"--consistency L   lease (default), linearizable or stale_ok (any replica answers)",
			"--raw             write only the value's bytes to stdout, nothing else"),
		flags: []flagSpec{{name: "consistency", value: true}, {name: "raw"}},
		run:   runGet,
	}
}

func runGet(x *exec, a *args) error {
	if err := wantArgs("get", a, 1, "one KEY"); err != nil {
		return err
	}
	key, err := parseKeyArg(a.pos[0])
	if err != nil {
		return err
	}
	var opts client.GetOptions
	if v, ok := a.value("consistency"); ok {
		if opts.Consistency, err = parseConsistency(v); err != nil {
			return err
		}
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	r, err := c.Get(x.request(), key, &opts)
	if err != nil {
		return keyErr(key, err)
	}
	if a.bools["raw"] {
		_, err := x.out.Write(r.Value)
		return err
	}
	res := &keyResult{Key: keys.DisplayKey(key), Value: ptr(b64(r.Value)), Size: ptr(len(r.Value)),
		Version: fmtVersion(r.Version), ServedBy: r.Meta["served_by"], raw: r.Value}
	if s, err := strconv.Atoi(r.Meta["shard"]); err == nil {
		res.Shard = &s
	} else {
		res.Shard = ptr(c.Route(key).Shard)
	}
	res.setExpiry(r.ExpiresAt())
	return x.emit(res)
}

// keyErr says plainly that a key is missing; other errors pass unchanged.
func keyErr(key []byte, err error) error {
	if errors.Is(err, client.ErrKeyNotFound) {
		return fmt.Errorf("key %s %w (or expired)", keys.DisplayKey(key), errNotFound)
	}
	return err
}

func parseConsistency(s string) (client.ConsistencyLevel, error) {
	for _, l := range []client.ConsistencyLevel{client.ConsistencyLease, client.ConsistencyLinearizable, client.ConsistencyStaleOK} {
		if l.String() == s {
			return l, nil
		}
	}
	return 0, usagef("--consistency %q: use lease, linearizable or stale_ok", s)
}

func putCommand() command {
	return command{
		name: "put", summary: "write a key (VALUE or - for stdin)",
		usage: help("put KEY VALUE|- [--ttl 30s] [--if-version T/I] [--idempotency-key K]",
			"Write VALUE under KEY; with - the value is read from stdin, byte for byte.\n"+
				"Prints the new version. With --if-version the write is a compare-and-swap:\n"+
				"a different current version exits 4.",
			"--ttl D              expire the key after D (30s, 5m, 1h, 2d); default never",
			"--if-version T/I     write only if the key's version is T/I (as get prints it)",
			"--idempotency-key K  apply the write at most once for K (safe to retry)"),
		flags: []flagSpec{{name: "ttl", value: true}, {name: "if-version", value: true}, {name: "idempotency-key", value: true}},
		run:   func(x *exec, a *args) error { return runPut(x, a, "put", "if-version") },
	}
}

func casCommand() command {
	return command{
		name: "cas", summary: "compare-and-swap a key from version T/I",
		usage: help("cas KEY --from T/I VALUE|- [--ttl 30s] [--idempotency-key K]",
			"Write VALUE under KEY only if its current version is T/I (as get prints it).\n"+
				"A different version, or a missing key, exits 4 and names the current version.",
			"--from T/I           the version the key must have (required)",
			"--ttl D              expire the key after D (30s, 5m, 1h, 2d); default never",
			"--idempotency-key K  apply the write at most once for K (safe to retry)"),
		flags: []flagSpec{{name: "from", value: true}, {name: "ttl", value: true}, {name: "idempotency-key", value: true}},
		run: func(x *exec, a *args) error {
			if _, ok := a.value("from"); !ok {
				return usagef("cas needs --from T/I, the version the key must have (get prints it)")
			}
			return runPut(x, a, "cas", "from")
		},
	}
}

func runPut(x *exec, a *args, cmd, versionFlag string) error {
	if err := wantArgs(cmd, a, 2, "KEY and VALUE (or - to read the value from stdin)"); err != nil {
		return err
	}
	key, err := parseKeyArg(a.pos[0])
	if err != nil {
		return err
	}
	opts := client.PutOptions{IdempotencyKey: idemKeyArg(a)}
	if v, ok := a.value("ttl"); ok {
		if opts.TTL, err = keys.ParseTTL(v); err != nil {
			return &usageError{msg: "--ttl: " + err.Error()}
		}
	}
	if v, ok := a.value(versionFlag); ok {
		if opts.IfMatchVersion, err = parseVersion(versionFlag, v); err != nil {
			return err
		}
	}
	if err := x.writable(); err != nil {
		return err
	}
	value, err := x.valueArg(a.pos[1])
	if err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	v, err := c.Put(x.request(), key, value, &opts)
	if err != nil {
		return unknownOutcome(err, opts.IdempotencyKey)
	}
	res := &keyResult{Key: keys.DisplayKey(key), Version: fmtVersion(v), Shard: ptr(c.Route(key).Shard)}
	if opts.TTL > 0 {
		res.setExpiry(time.Now().Add(opts.TTL))
	}
	return x.emit(res)
}

// idemKeyArg is the write's idempotency key: --idempotency-key, else a
// fresh one, so that a write whose outcome is unknown can be run again
// with it (see unknownOutcome).
func idemKeyArg(a *args) string {
	if k := a.values["idempotency-key"]; k != "" {
		return k
	}
	return common.NewIdempotencyKey()
}

// unknownOutcome adds to a write's error whose outcome is unknown (sent,
// no answer: a timeout, its leader stopped or cut off) that it may have
// been applied and how to run it again safely: with the same idempotency
// key it applies at most once, and if the first one was applied answers
// as it did. Before, a timed-out put said only "DeadlineExceeded", and
// running it again (a cas with --from the version read) could be refused
// as a conflict with its own first write, or apply twice.
func unknownOutcome(err error, idemKey string) error {
	if !common.OutcomeUnknown(err) {
		return err
	}
	return fmt.Errorf("outcome unknown, it may have been applied: run the same command again with --idempotency-key %s to apply it at most once (the server keeps the key about 10 minutes): %w",
		idemKey, err)
}

func deleteCommand() command {
	return command{
		name: "delete", summary: "delete a key",
		usage: help("delete KEY [--if-version T/I] [--idempotency-key K]",
			"Delete KEY. A key that did not exist exits 3 (nothing deleted).\n"+
				"With --if-version the delete happens only at that version, else exits 4.",
			"--if-version T/I     delete only if the key's version is T/I",
			"--idempotency-key K  apply the delete at most once for K"),
		flags: []flagSpec{{name: "if-version", value: true}, {name: "idempotency-key", value: true}},
		run:   runDelete,
	}
}

func runDelete(x *exec, a *args) error {
	if err := wantArgs("delete", a, 1, "one KEY"); err != nil {
		return err
	}
	key, err := parseKeyArg(a.pos[0])
	if err != nil {
		return err
	}
	opts := client.DeleteOptions{IdempotencyKey: idemKeyArg(a)}
	if v, ok := a.value("if-version"); ok {
		if opts.IfMatchVersion, err = parseVersion("if-version", v); err != nil {
			return err
		}
	}
	if err := x.writable(); err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	existed, err := c.Delete(x.request(), key, &opts)
	if err != nil {
		return unknownOutcome(err, opts.IdempotencyKey)
	}
	if !existed {
		return fmt.Errorf("key %s %w: nothing deleted", keys.DisplayKey(key), errNotFound)
	}
	return x.emit(&keyResult{Key: keys.DisplayKey(key), Shard: ptr(c.Route(key).Shard), Deleted: ptr(true)})
}

func ttlCommand() command {
	return command{
		name: "ttl", summary: "show, set or clear a key's TTL",
		usage: help("ttl KEY [--set 5m | --clear]",
			"Show KEY's time to live, or change it: the value is re-written with the new TTL\n"+
				"as a compare-and-swap on the version just read, so a concurrent write is never\n"+
				"lost (it exits 4 instead: run it again).",
			"--set D    expire the key D from now (30s, 5m, 1h, 2d)",
			"--clear    remove the TTL: the key never expires"),
		flags: []flagSpec{{name: "set", value: true}, {name: "clear"}},
		run:   runTTL,
	}
}

func runTTL(x *exec, a *args) error {
	if err := wantArgs("ttl", a, 1, "one KEY"); err != nil {
		return err
	}
	key, err := parseKeyArg(a.pos[0])
	if err != nil {
		return err
	}
	setVal, set := a.value("set")
	clearTTL := a.bools["clear"]
	var ttl time.Duration
	switch {
	case set && clearTTL:
		return usagef("ttl takes --set D or --clear, not both")
	case set:
		if ttl, err = keys.ParseTTL(setVal); err != nil {
			return &usageError{msg: "--set: " + err.Error()}
		}
		if ttl == 0 {
			return usagef("--set %q: give a duration like 5m; use --clear to remove the TTL", setVal)
		}
	}
	if set || clearTTL {
		if err := x.writable(); err != nil {
			return err
		}
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	r, err := c.Get(x.request(), key, &client.GetOptions{Consistency: client.ConsistencyLinearizable})
	if err != nil {
		return keyErr(key, err)
	}
	res := &keyResult{Key: keys.DisplayKey(key), Version: fmtVersion(r.Version), Shard: ptr(c.Route(key).Shard)}
	if !set && !clearTTL {
		res.setExpiry(r.ExpiresAt())
		return x.emit(res)
	}
	v, err := c.Put(x.request(), key, r.Value, &client.PutOptions{TTL: ttl, IfMatchVersion: &r.Version})
	var vm *client.VersionMismatchError
	if errors.As(err, &vm) {
		return fmt.Errorf("the key changed while its TTL was being set; run the command again: %w", err)
	}
	if err != nil {
		return err
	}
	res.Version = fmtVersion(v)
	res.setExpiry(time.Time{})
	if ttl > 0 {
		res.setExpiry(time.Now().Add(ttl))
	}
	return x.emit(res)
}
