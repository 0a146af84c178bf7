#!/bin/sh
# make demo: the module, the reader and some sample traffic, in the guest.
. /tcptl/tests/lib.sh

echo "== loading tcp_timeline"
insmod /tcptl/tcp_timeline.ko || exit 1
dmesg | grep tcp_timeline | tail -n 1

tcptimeline events >/tmp/demo-events.txt 2>/tmp/demo-events.err &
ev=$!
tcptimeline --unfinished >/tmp/demo-timelines.txt 2>/tmp/demo-timelines.err &
tl=$!
tcptimeline top --rows 3 --interval 1 --warn-close-wait-age 2 >/tmp/demo-top.txt 2>&1 &
top=$!
sleep 1

echo "== traffic: a normal connection (client closes first: TIME_WAIT)"
tcpscen -p 8080 client-close >/dev/null
echo "== traffic: a refused connect"
tcpscen -p 8081 refused >/dev/null
echo "== traffic: a reset (SO_LINGER 0)"
tcpscen -p 8082 linger0 >/dev/null
echo "== traffic: a CLOSE_WAIT leak (the server holds its socket for 2 s)"
tcpscen -p 8083 -s 2 close-wait >/dev/null
echo "== traffic: a server process (leakysrv) that never closes 4 connections"
tcpscen -p 8084 -n 4 -s 6 leak >/dev/null
echo "== traffic: 30 short connections to each of two ports (TIME_WAIT)"
tcpscen -p 8085 -n 30 burst >/dev/null
tcpscen -p 8086 -n 30 burst >/dev/null
sleep 3
kill -INT $top
wait $top
echo
echo "== tcptimeline top --rows 3 --warn-close-wait-age 2 (its last screen, and its alerts)"
awk '/^tcptimeline top / { n++ } { line[n] = line[n] $0 "\n" } END { printf "%s", line[n] }' /tmp/demo-top.txt
grep ' ALERT ' /tmp/demo-top.txt
tcptimeline metrics --listen 127.0.0.1:9977 2>/dev/null &
metrics=$!
sleep 1
echo
echo "== tcptimeline metrics: a few lines of http://127.0.0.1:9977/metrics"
wget -q -O - http://127.0.0.1:9977/metrics | grep -E '^tcptimeline_(sockets|close_wait_sockets)' | grep -v ' 0$'
kill -INT $metrics $ev $tl
wait $metrics $ev $tl

echo
echo "== tcptimeline events"
head -n 40 /tmp/demo-events.txt
echo "... ($(wc -l </tmp/demo-events.txt) lines)"
echo
echo "== tcptimeline (a timeline per connection as it closes or enters TIME_WAIT)"
awk -v RS= -v ORS='\n\n' '!/:808[56] /' /tmp/demo-timelines.txt | head -n 80
echo "... (the 60 burst connections left out)"
cat /tmp/demo-timelines.err
echo
echo "== tcptimeline stats"
tcptimeline stats
rmmod tcp_timeline
