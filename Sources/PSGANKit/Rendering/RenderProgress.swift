/// How far a render has got: frames done, total, and timing.
public struct RenderProgress: Sendable {
    /// Frames finished (generated and handed to the encoder).
    public var completed: Int
    /// Frames in the render; 0 when not known (an input that does not say how many it holds).
    public var total: Int
    /// Seconds since the first frame started.
    public var elapsed: Double

    /// Progress of `completed` frames out of `total` after `elapsed` seconds.
    public init(completed: Int, total: Int, elapsed: Double) {
        self.completed = completed
        self.total = total
        self.elapsed = elapsed
    }

    /// Frames per second so far (0 before the first frame).
    public var framesPerSecond: Double { elapsed > 0 ? Double(completed) / elapsed : 0 }

    /// Estimated seconds left, or nil before the first frame.
    public var remaining: Double? {
        completed > 0 && total > 0 ? elapsed / Double(completed) * Double(total - completed) : nil
    }
}
