# The R side of bench/detect: times surveillance::farringtonFlexible and surveillance::earsC on
# the data bench/detect.ts wrote, and writes R's alarms and upper bounds so the bench can compare
# them with ours point by point. Only the computation is timed (not R's start-up or file reading),
# best of `repeats` runs, as the TypeScript side is.
#
# Usage: Rscript surveillance-bench.R DIR   (DIR holds farrington.csv and/or ears.csv, and gets *-r-*.csv)
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
repeats <- if (length(args) >= 2) as.integer(args[2]) else 1L

best_of <- function(work) {
  best <- Inf
  result <- NULL
  for (i in seq_len(repeats)) {
    elapsed <- system.time(result <- work())[["elapsed"]]
    best <- min(best, elapsed)
  }
  list(seconds = best, result = result)
}

write_matrix <- function(m, file) write.csv(m, file, row.names = FALSE, na = "NA")

farrington_file <- file.path(dir, "farrington.csv")
if (file.exists(farrington_file)) {
  counts <- as.matrix(read.csv(farrington_file, check.names = FALSE))
  weeks <- nrow(counts)
  series <- sts(observed = counts, start = c(2000, 1), frequency = 52)
  range <- (weeks - 51):weeks
  settings <- list(
    farrington1996 = list(range = range, b = 5, w = 3, reweight = TRUE, weightsThreshold = 1, alpha = 0.05,
      trend = TRUE, pThresholdTrend = 0.05, limit54 = c(5, 4), powertrans = "2/3", populationOffset = FALSE,
      noPeriods = 1, pastWeeksNotIncluded = 3, thresholdMethod = "delta"),
    noufaily2013 = list(range = range, b = 5, w = 3, reweight = TRUE, weightsThreshold = 2.58, alpha = 0.05,
      trend = TRUE, pThresholdTrend = 1, limit54 = c(5, 4), powertrans = "2/3", populationOffset = FALSE,
      noPeriods = 10, pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin")
  )
  for (name in names(settings)) {
    run <- best_of(function() suppressWarnings(farringtonFlexible(series, control = settings[[name]])))
    write_matrix(alarms(run$result) * 1, file.path(dir, paste0("farrington-r-alarm-", name, ".csv")))
    write_matrix(upperbound(run$result), file.path(dir, paste0("farrington-r-upperbound-", name, ".csv")))
    cat(sprintf("farrington %s %.4f\n", name, run$seconds))
  }
}

ears_file <- file.path(dir, "ears.csv")
if (file.exists(ears_file)) {
  counts <- as.matrix(read.csv(ears_file, check.names = FALSE))
  days <- nrow(counts)
  series <- sts(observed = counts, start = c(2000, 1), frequency = 365)
  for (method in c("C1", "C2", "C3")) {
    from <- switch(method, C1 = 8, C2 = 10, C3 = 12)
    # alpha left to its default, as on our side: 0.001 for C1 and C2, 0.025 for C3.
    control <- list(range = from:days, method = method, baseline = 7)
    run <- best_of(function() earsC(series, control = control))
    write_matrix(alarms(run$result) * 1, file.path(dir, paste0("ears-r-alarm-", method, ".csv")))
    write_matrix(upperbound(run$result), file.path(dir, paste0("ears-r-upperbound-", method, ".csv")))
    cat(sprintf("ears %s %.4f\n", method, run$seconds))
  }
}
