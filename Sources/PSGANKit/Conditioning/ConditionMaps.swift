/// The pose condition maps of one frame: K one-hot keypoint maps at every scale 4, 8, ..., R.
///
/// Per the contract, the full-resolution map `P_R` is -1 everywhere except `P_R[k, floor(y), floor(x)] = 1`
/// for each keypoint k with confidence > 0 inside the R x R canvas, and `P_s = maxpool2x2(P_2s)`.
/// Because each channel holds at most one +1, max-pooling it down to scale s gives exactly one +1
/// at `(floor(x) >> log2(R/s), floor(y) >> log2(R/s))`; the maps are written that way, directly at
/// each scale, without materialising the full-resolution pyramid.
public struct ConditionMaps: Equatable, Sendable {
    /// The model canvas size R.
    public let resolution: Int
    /// Number of keypoint channels K.
    public let keypointCount: Int
    /// For each keypoint, its full-resolution pixel (column, row), or nil when it leaves the map all -1.
    public let pixels: [(x: Int, y: Int)?]

    /// Maps keypoints given in model-canvas pixel coordinates.
    public init(keypoints: [Keypoint], resolution: Int) {
        self.resolution = resolution
        self.keypointCount = keypoints.count
        let limit = Double(resolution)
        self.pixels = keypoints.map { k in
            // NaN fails every comparison, so it is treated like a keypoint outside the canvas.
            guard k.confidence > 0, k.x >= 0, k.x < limit, k.y >= 0, k.y < limit else { return nil }
            return (Int(k.x.rounded(.down)), Int(k.y.rounded(.down)))
        }
    }

    /// The maps a generator of `config` draws from a pose in model-canvas pixels
    /// (``GeneratorConfig/poseKeypoints`` keypoints; a `coco18-limbs` model's derived points appended).
    public init(pose: [Keypoint], config: GeneratorConfig) {
        self.init(keypoints: config.conditionKeypoints(pose), resolution: config.resolution)
    }

    public static func == (lhs: ConditionMaps, rhs: ConditionMaps) -> Bool {
        lhs.resolution == rhs.resolution && lhs.keypointCount == rhs.keypointCount
            && lhs.pixels.elementsEqual(rhs.pixels) { $0?.x == $1?.x && $0?.y == $1?.y }
    }

    /// For each keypoint, the pixel (column, row) of `P_s`'s +1, or nil when `P_s` is all -1.
    public func pixels(scale s: Int) -> [(x: Int, y: Int)?] {
        precondition(s >= 1 && resolution % s == 0)
        let factor = resolution / s
        return pixels.map { pixel in pixel.map { (x: $0.x / factor, y: $0.y / factor) } }
    }

    /// Writes `P_s` (K planes of s x s, channel-major) into `buffer`, which must hold `K * s * s` floats.
    public func write(scale s: Int, into buffer: UnsafeMutableBufferPointer<Float>) {
        precondition(buffer.count >= keypointCount * s * s)
        buffer.update(repeating: -1)
        for (k, pixel) in pixels(scale: s).enumerated() {
            guard let (x, y) = pixel else { continue }
            buffer[k * s * s + y * s + x] = 1
        }
    }

    /// `P_s` as a new array of `K * s * s` floats.
    public func map(scale s: Int) -> [Float] {
        var result = [Float](repeating: -1, count: keypointCount * s * s)
        result.withUnsafeMutableBufferPointer { write(scale: s, into: $0) }
        return result
    }
}
