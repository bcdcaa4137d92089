# Replay events/s through the 5 ms memoizing proxy by months read at once (K), slices a month
# (S) and prefetch depth (D), the others at the defaults (K 4, S 8, D 4); scripts/bench writes
# the .dat files.
set terminal pngcairo size 720,420 font ",10"
set ylabel "events/s"
set grid
set key off
set yrange [0:*]
set output "replay-scaling-buckets.png"
set title "evstore replay through the 5 ms proxy: months read at once (S = 8, D = 4)"
set xlabel "parallel buckets (K)"
set logscale x 2
plot "scaling-replay-buckets.dat" using 1:2 with linespoints lw 2 pt 7
set output "replay-scaling-slices.png"
set title "evstore replay through the 5 ms proxy: slices a month read at once (K = 4, D = 4)"
set xlabel "month slices (S)"
plot "scaling-replay-slices.dat" using 1:2 with linespoints lw 2 pt 7
set output "replay-scaling-prefetch.png"
set title "evstore replay through the 5 ms proxy: pages read ahead per slice (K = 4, S = 8)"
set xlabel "prefetch pages"
unset logscale x
plot "scaling-replay-prefetch.dat" using 1:2 with linespoints lw 2 pt 7
