# Append events/s by appends in flight (scripts/bench writes scaling-append.dat).
set terminal pngcairo size 720,420 font ",10"
set output "append-scaling.png"
set title "evstore appends through the 5 ms latency proxy (batches of 10)"
set xlabel "appends in flight"
set ylabel "events/s"
set logscale x 2
set grid
set key off
plot "scaling-append.dat" using 1:2 with linespoints lw 2 pt 7
