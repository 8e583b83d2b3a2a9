## Reference values for farringtonFlexible's mode "textbook" (farrington-flexible.test.ts).
## Run with R 4.2 and surveillance 1.20.3: Rscript textbook-reference.R
##
## "textbook" is surveillance's own code with one line removed: algo.farrington.fitGLM.flexible
## ends a reweighted fit with `model$weights <- omega`, after which summary.glm/predict.glm use
## sum(omega * ((y - mu)/mu)^2) / (n - p) as the dispersion. Without that line they use the
## reweighted glm's own Pearson dispersion. The last block checks t = 264 by hand: the reweighted
## glm refitted with weights = omega and summary/predict called on that untouched model.
suppressMessages(library(surveillance))
data(salmonella.agona)
agona <- disProg2sts(salmonella.agona)
con <- function(...) modifyList(list(range = 264:312, b = 5, w = 3, reweight = TRUE, weightsThreshold = 1,
  alpha = 0.05, trend = TRUE, pThresholdTrend = 0.05, limit54 = c(5, 4), powertrans = "2/3",
  fitFun = "algo.farrington.fitGLM.flexible", populationOffset = FALSE, noPeriods = 1,
  pastWeeksNotIncluded = 3, thresholdMethod = "delta", glmWarnings = FALSE), list(...))
muan <- con(weightsThreshold = 2.58, pThresholdTrend = 1, noPeriods = 10, pastWeeksNotIncluded = 26,
  thresholdMethod = "muan")
run <- function() list(delta = farringtonFlexible(agona, control = con()), muan = farringtonFlexible(agona, control = muan))
r <- run()

f <- surveillance:::algo.farrington.fitGLM.flexible
txt <- deparse(body(f))
i <- grep("model$weights <- omega", txt, fixed = TRUE)
stopifnot(length(i) == 1)
txt[i] <- "NULL"
body(f) <- parse(text = paste(txt, collapse = "\n"))[[1]]
assignInNamespace("algo.farrington.fitGLM.flexible", f, "surveillance")
tb <- run()

show <- function(label, x) cat(label, ": ", paste(ifelse(is.na(x), "NA", sprintf("%.17g", x)), collapse = ", "), "\n", sep = "")
for (mode in c("r", "tb")) {
  res <- if (mode == "r") r else tb
  show(paste(mode, "delta upperbound"), upperbound(res$delta)[, 1])
  show(paste(mode, "delta alarm"), alarms(res$delta)[, 1])
  show(paste(mode, "delta trend"), res$delta@control$trend)
  show(paste(mode, "muan mu0"), res$muan@control$mu0Vector)
  show(paste(mode, "muan alarm"), alarms(res$muan)[, 1])
}

## t = 264 by hand (the trend is dropped there in both modes).
y <- salmonella.agona$observed
k <- 264
idx <- sort(unlist(lapply(1:5, function(i) (k - 52 * i - 3):(k - 52 * i + 3))))
d <- data.frame(response = y[idx], wtime = idx)
m <- glm(response ~ 1, data = d, family = quasipoisson(link = "log"))
omega <- surveillance:::algo.farrington.assign.weights(surveillance:::anscombe.residuals(m, max(summary(m)$dispersion, 1)), 1)
m <- glm(response ~ 1, data = d, family = quasipoisson(link = "log"), weights = omega)
phi <- max(summary(m)$dispersion, 1)
p <- predict(m, newdata = data.frame(wtime = k), se.fit = TRUE, type = "response")
sd <- sqrt(4/9 * p$fit^(1/3) * (phi + p$se.fit^2 / p$fit))
show("t = 264 by hand, U", (p$fit^(2/3) + qnorm(0.95) * sd)^(3/2))
