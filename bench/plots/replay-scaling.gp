# Replay events/s through the 5 ms memoizing proxy by buckets read at once (K, prefetch 2) and
# by prefetch depth (K = 4); scripts/bench writes the .dat files.
set terminal pngcairo size 720,420 font ",10"
set ylabel "events/s"
set grid
set key off
set yrange [0:*]
set output "replay-scaling-buckets.png"
set title "evstore replay through the 5 ms proxy: months read at once (prefetch 2 pages)"
set xlabel "parallel buckets (K)"
set logscale x 2
plot "scaling-replay-buckets.dat" using 1:2 with linespoints lw 2 pt 7
set output "replay-scaling-prefetch.png"
set title "evstore replay through the 5 ms proxy: pages read ahead per month (K = 4)"
set xlabel "prefetch pages"
unset logscale x
plot "scaling-replay-prefetch.dat" using 1:2 with linespoints lw 2 pt 7
