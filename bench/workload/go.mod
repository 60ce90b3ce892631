module traceatlas/bench/workload

go 1.26.0
