package client

// Documented request limits (PROTOCOL §4). The client checks them before
// sending, so a request that cannot succeed costs no round trip (an 8 MiB
// value is refused here, not uploaded and refused by the server).
const (
	MaxKeyBytes       = 1024    // keys are 1..1024 bytes
	MaxValueBytes     = 1 << 20 // values are at most 1 MiB
	MaxNamespaceBytes = 256     // vector namespaces are 1..256 bytes
	MaxVectorIDBytes  = 512     // vector ids are 1..512 bytes
	MaxDimensions     = 4096    // vector indexes have 1..4096 dimensions
	MaxSearchK        = 1000    // a vector search returns 1..1000 matches
	// MaxIdempotencyKeyBytes is our server's bound on idempotency keys.
	MaxIdempotencyKeyBytes = 512
)

// checkKey validates a key before it goes on the wire.
func checkKey(op string, key []byte) error {
	switch {
	case len(key) == 0:
		return invalidArg(op, "key is empty: keys must be 1..%d bytes", MaxKeyBytes)
	case len(key) > MaxKeyBytes:
		return invalidArg(op, "key is %d bytes, over the key limit of %d bytes: use a shorter key (hash long names)", len(key), MaxKeyBytes)
	}
	return nil
}

// checkValue validates a value before it goes on the wire.
func checkValue(op string, v []byte) error {
	if len(v) > MaxValueBytes {
		return invalidArg(op, "value is %d bytes, over the value limit of 1 MiB (%d bytes): split it over several keys", len(v), MaxValueBytes)
	}
	return nil
}

// checkIdemKey validates a caller-supplied idempotency key.
func checkIdemKey(op, k string) error {
	if len(k) > MaxIdempotencyKeyBytes {
		return invalidArg(op, "idempotency key is %d bytes, over the limit of %d bytes", len(k), MaxIdempotencyKeyBytes)
	}
	return nil
}

// checkNamespace validates a vector namespace.
func checkNamespace(op, ns string) error {
	switch {
	case ns == "":
		return invalidArg(op, "namespace is empty: namespaces must be 1..%d bytes", MaxNamespaceBytes)
	case len(ns) > MaxNamespaceBytes:
		return invalidArg(op, "namespace is %d bytes, over the namespace limit of %d bytes", len(ns), MaxNamespaceBytes)
	}
	return nil
}

// checkVectorID validates a vector id.
func checkVectorID(op, id string) error {
	switch {
	case id == "":
		return invalidArg(op, "vector id is empty: ids must be 1..%d bytes", MaxVectorIDBytes)
	case len(id) > MaxVectorIDBytes:
		return invalidArg(op, "vector id is %d bytes, over the id limit of %d bytes", len(id), MaxVectorIDBytes)
	}
	return nil
}

// checkDims validates a dimension count (of an index, or of a vector).
func checkDims(op, what string, n int) error {
	if n < 1 || n > MaxDimensions {
		return invalidArg(op, "%s has %d dimensions: NoriKV allows 1..%d", what, n, MaxDimensions)
	}
	return nil
}
