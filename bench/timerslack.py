#!/usr/bin/env python3
"""timerslack.py NS CMD [ARG...]: run CMD with timer slack NS nanoseconds.

Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK, Linux) and
executes CMD, whose threads inherit it: the same setting `serve
--timer-slack` gives itself, for running etcd under it (run.sh
ETCD_TIMER_SLACK_NS).
"""
import ctypes
import os
import sys

PR_SET_TIMERSLACK = 29

if len(sys.argv) < 3:
    sys.exit("usage: timerslack.py NS CMD [ARG...]")
ns = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_TIMERSLACK, ctypes.c_ulong(ns), 0, 0, 0) != 0:
    sys.exit("timerslack.py: prctl: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[2], sys.argv[2:])
