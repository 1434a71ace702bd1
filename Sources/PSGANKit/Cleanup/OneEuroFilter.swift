import Foundation

/// The One Euro filter (Casiez, Roussel and Vogel, CHI 2012): a low-pass filter whose cutoff rises with speed.
///
/// Slow movement is smoothed strongly (little jitter), fast movement lightly (little lag). With
/// `te` the time between samples and `alpha(fc) = 1 / (1 + tau / te)`, `tau = 1 / (2 pi fc)`:
///
/// - the first sample passes unchanged, with derivative 0;
/// - then `dx = (x - xPrev) / te`, `dxHat = alpha(dCutoff) dx + (1 - alpha(dCutoff)) dxHatPrev`,
///   `fc = minCutoff + beta |dxHat|`, `xHat = alpha(fc) x + (1 - alpha(fc)) xHatPrev`.
///
/// `xPrev` is the previous *filtered* value, as in the paper's reference code.
public struct OneEuroFilter: Equatable, Sendable {
    /// The cutoff frequency in Hz at zero speed: lower smooths more (and lags more).
    public var minCutoff: Double
    /// How much the cutoff rises per unit of speed (pixels per second here): higher lags less on fast moves.
    public var beta: Double
    /// The cutoff in Hz for the speed estimate itself.
    public var derivativeCutoff: Double

    private var previous: Double?
    private var previousDerivative = 0.0

    /// Creates a filter; the defaults (1 Hz, 0.01, 1 Hz) suit body keypoints in pixels at video rates.
    public init(minCutoff: Double = 1, beta: Double = 0.01, derivativeCutoff: Double = 1) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    /// A one-line problem with the parameters, or `nil` when they are usable.
    public var problem: String? {
        if !(minCutoff.isFinite && minCutoff > 0) { return "the One Euro min cutoff must be above 0 Hz" }
        if !(beta.isFinite && beta >= 0) { return "the One Euro beta must be 0 or more" }
        if !(derivativeCutoff.isFinite && derivativeCutoff > 0) { return "the One Euro d cutoff must be above 0 Hz" }
        return nil
    }

    /// The smoothing factor for `cutoff` Hz with `interval` seconds between samples.
    static func alpha(cutoff: Double, interval: Double) -> Double {
        let tau = 1 / (2 * Double.pi * cutoff)
        return 1 / (1 + tau / interval)
    }

    /// Filters the next sample, `interval` seconds after the previous one.
    public mutating func filter(_ x: Double, interval: Double) -> Double {
        guard let previous else {
            self.previous = x
            previousDerivative = 0
            return x
        }
        let derivative = (x - previous) / interval
        let a = Self.alpha(cutoff: derivativeCutoff, interval: interval)
        let smoothedDerivative = a * derivative + (1 - a) * previousDerivative
        let cutoff = minCutoff + beta * abs(smoothedDerivative)
        let b = Self.alpha(cutoff: cutoff, interval: interval)
        let value = b * x + (1 - b) * previous
        self.previous = value
        previousDerivative = smoothedDerivative
        return value
    }

    /// Forgets the history: the next sample passes unchanged.
    public mutating func reset() {
        previous = nil
        previousDerivative = 0
    }

    public static func == (a: OneEuroFilter, b: OneEuroFilter) -> Bool {
        a.minCutoff == b.minCutoff && a.beta == b.beta && a.derivativeCutoff == b.derivativeCutoff
    }
}
