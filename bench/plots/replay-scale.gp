# Replay from the synthetic DynamoDB by table size: events/s and peak RSS (scripts/bench writes
# scale.dat: events, events/s, peak RSS in MiB).
set terminal pngcairo size 720,420 font ",10"
set output "replay-scale.png"
set title "evstore replay from the synthetic DynamoDB, one core (page size 100, 1 KB events)"
set xlabel "events in the table"
set ylabel "events/s"
set y2label "peak RSS (MiB)"
set logscale x 10
set format x "10^{%L}"
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set grid
set key bottom right
plot "scale.dat" using 1:2 axes x1y1 with linespoints lw 2 pt 7 title "events/s", \
     "scale.dat" using 1:3 axes x1y2 with linespoints lw 2 pt 5 title "peak RSS (MiB)"
