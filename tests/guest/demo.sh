#!/bin/sh
# make demo: the module, the reader and sample traffic, in the guest. What
# lies between TCPTL-DEMO-BEGIN and TCPTL-DEMO-END is what scripts/vm.sh
# shows; the rest of the console goes to its log. "== " starts a heading.
. /tcptl/tests/lib.sh

insmod /tcptl/tcp_timeline.ko || { dmesg | tail -n 5; exit 1; }
echo "TCPTL-DEMO-BEGIN"
echo "== tcp_timeline loaded: $(dmesg | grep 'tcp_timeline: ' | tail -n 1 | sed 's/^\[[^]]*\] //')"

tcptimeline events >/tmp/demo-events.txt 2>/tmp/demo-events.err &
ev=$!
tcptimeline --unfinished >/tmp/demo-timelines.txt 2>/tmp/demo-timelines.err &
tl=$!
tcptimeline top --rows 3 --interval 1 --warn-close-wait-age 2 >/tmp/demo-top.txt 2>&1 &
top=$!
sleep 1

echo
echo "== 1. traffic: six kinds of connection on loopback"
echo "   8080  a normal connection, the client closes first (TIME_WAIT)"
tcpscen -p 8080 client-close >/dev/null
echo "   8081  a connect to a closed port (refused)"
tcpscen -p 8081 refused >/dev/null
echo "   8082  a reset: the client closes with SO_LINGER 0"
tcpscen -p 8082 linger0 >/dev/null
echo "   8083  a server that holds a closed connection for 2 s (CLOSE_WAIT)"
tcpscen -p 8083 -s 2 close-wait >/dev/null
echo "   8084  a server process, leakysrv, that never closes 4 connections"
tcpscen -p 8084 -n 4 -s 6 leak >/tmp/demo-leak.out
echo "   8085, 8086  30 short connections to each (TIME_WAIT piles up)"
tcpscen -p 8085 -n 30 burst >/dev/null
tcpscen -p 8086 -n 30 burst >/dev/null
sleep 3
kill -INT $top
wait $top
tcptimeline metrics --listen 127.0.0.1:9977 2>/dev/null &
metrics=$!
sleep 1
wget -q -O /tmp/demo-metrics.prom http://127.0.0.1:9977/metrics
kill -INT $metrics $ev $tl
wait $metrics $ev $tl
. /tmp/demo-leak.out

echo
echo "== 2. tcptimeline events: every state transition as it happens"
head -n 24 /tmp/demo-events.txt
echo "   ... ($(wc -l </tmp/demo-events.txt) lines in all)"

echo
echo "== 3. tcptimeline --unfinished: one timeline per connection as it ends, the open ones at exit"
# A refused connect, a reset, a CLOSE_WAIT that ended and one leaked
# socket; not the listeners or the 60 short connections.
awk -v RS= -v ORS='\n\n' '/^[^\n]*:808[0-3] / && !/-> 0\.0\.0\.0:0 /
	/^127\.0\.0\.1:8084 .* owner leakysrv/ && !leak++' /tmp/demo-timelines.txt
echo "   ... (left out: the listeners, the leak's other sockets and the 60 short connections)"
head -n 2 /tmp/demo-timelines.err

echo
echo "== 4. tcptimeline top --warn-close-wait-age 2: its last screen and its alerts"
awk '/^tcptimeline top / { n++ } { line[n] = line[n] $0 "\n" } END { printf "%s", line[n] }' /tmp/demo-top.txt
grep ' ALERT ' /tmp/demo-top.txt

echo
echo "== 5. tcptimeline metrics: a few lines of http://127.0.0.1:9977/metrics"
grep -E '^tcptimeline_(sockets|close_wait_sockets|time_wait_sockets)' /tmp/demo-metrics.prom | grep -v ' 0$'

echo
echo "== 6. tcptimeline stats: the module's counters (nothing lost)"
tcptimeline stats
rmmod tcp_timeline

echo
echo "== What to look at"
cat <<EOF
- The leak: leakysrv (pid $server_pid) owns the CLOSE_WAIT row in top (4
  sockets, their age, the bytes it never read) and fired the
  close_wait_age alert. Its peers closed; it never called close(). The
  metric tcptimeline_close_wait_sockets{pid="$server_pid",comm="leakysrv"} is what
  an alert rule would watch (packaging/tcptimeline.rules.yml).
- TIME_WAIT: the 60 short connections closed by their clients left their
  sockets in TIME_WAIT for 60 s. top groups them by remote (8085, 8086) and
  counts the local ports they hold out of the ephemeral range: that share
  reaching 100% is when connect() fails with EADDRNOTAVAIL.
- Timelines: each says how the connection ended (fin, rst-sent,
  rst-received, with the socket's error: ECONNREFUSED, ECONNRESET), which
  side closed first (local or peer), and how long it spent in every
  state. The leaked one is still open: "(unfinished)", in CLOSE_WAIT.
EOF
echo "TCPTL-DEMO-END"
