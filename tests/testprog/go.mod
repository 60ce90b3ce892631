module traceatlas.test/testprog

// The oldest toolchain the corpus is written with. regen.sh builds with a
// temporary go.mod whose go line matches each toolchain, so every binary
// gets that release's own GODEBUG defaults (timers, GOMAXPROCS updates...).
go 1.22
