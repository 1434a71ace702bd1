/// One measured stage of `psgan bench`: what ran, how long, and what it cost.
public struct BenchmarkResult: Codable, Equatable, Sendable {
    /// The stage: `generator`, `upscaler`, `encoder` or `render`.
    public var stage: String
    /// What was measured, e.g. `256x256 paper K=20` or `srgan-x2 128x128 -> 256x256`.
    public var configuration: String
    /// Frames timed (after one untimed warm-up frame).
    public var frames: Int
    /// Wall-clock seconds for the timed frames.
    public var seconds: Double
    /// Floating-point operations per frame (direct-convolution count), when known.
    public var flopsPerFrame: Double?
    /// Output pixels per frame, for megapixels per second.
    public var outputPixelsPerFrame: Int
    /// Peak resident memory of the process that ran the stage, in bytes, when measured.
    public var peakMemoryBytes: Int?
    /// For `render`: seconds to generate the same frames without encoding, measured in the same process.
    public var generateOnlySeconds: Double?
    /// The fastest and the slowest timed frame, in seconds, where frames are timed one by one: the spread
    /// around the median.
    public var fastestFrameSeconds: Double?
    public var slowestFrameSeconds: Double?

    /// Milliseconds per frame.
    public var millisecondsPerFrame: Double { seconds * 1000 / Double(frames) }
    /// Frames per second.
    public var framesPerSecond: Double { Double(frames) / seconds }
    /// GFLOP/s, when the FLOP count is known.
    public var gigaflopsPerSecond: Double? { flopsPerFrame.map { $0 * Double(frames) / seconds / 1e9 } }
    /// Megapixels of output per second.
    public var megapixelsPerSecond: Double { Double(outputPixelsPerFrame) * Double(frames) / seconds / 1e6 }
}
