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
sleep 1

echo "== traffic: a normal connection (client closes first: TIME_WAIT)"
tcpscen -p 8080 client-close >/dev/null
echo "== traffic: a refused connect"
tcpscen -p 8081 refused >/dev/null
echo "== traffic: a reset (SO_LINGER 0)"
tcpscen -p 8082 linger0 >/dev/null
echo "== traffic: a CLOSE_WAIT leak (the server holds its socket for 2 s)"
tcpscen -p 8083 -s 2 close-wait >/dev/null
sleep 1
kill -INT $ev $tl
wait $ev $tl

echo
echo "== tcptimeline events"
cat /tmp/demo-events.txt
echo
echo "== tcptimeline (timelines; the TIME_WAIT one is unfinished: it lasts 60 s)"
cat /tmp/demo-timelines.txt
cat /tmp/demo-timelines.err
echo
echo "== tcptimeline stats"
tcptimeline stats
rmmod tcp_timeline
