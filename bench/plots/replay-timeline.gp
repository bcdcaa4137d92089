# Replay events/s over time, evstore beside the TypeScript adapter, for the runs against
# DynamoDB Local and through the 5 ms memoizing proxy (scripts/bench writes the .dat files).
set terminal pngcairo size 720,420 font ",10"
set xlabel "seconds since the replay started"
set ylabel "events/s"
set grid
set key top right
do for [run in "direct proxy"] {
  set output sprintf("replay-%s.png", run)
  set title (run eq "direct" ? "Replay from DynamoDB Local" : "Replay through the 5 ms memoizing proxy")
  plot sprintf("replay-%s-evstore.dat", run) using 1:2 with lines lw 2 title "evstore", \
       sprintf("replay-%s-adapter.dat", run) using 1:2 with lines lw 2 title "TypeScript adapter"
}
