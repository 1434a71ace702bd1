import Foundation

/// How a ``VideoWriter`` encodes: codec, frame rate, quality and threads.
public struct VideoSettings: Sendable {
    /// The codec; the output's extension must name one of its ``VideoCodec/allowedContainers``.
    public var codec: VideoCodec
    /// Frames per second; may be fractional. NTSC-style rates (23.976, 29.97, 59.94, ...) are
    /// stored as the exact ratios N×1000/1001 (24000/1001, 30000/1001, ...).
    public var fps: Double
    /// Constant rate factor (lower is better quality); nil uses ``VideoCodec/defaultCRF``
    /// (18 for h264, 20 hevc, 31 vp9, 30 av1). Ignored by prores, ffv1 and png.
    public var crf: Int?
    /// Encoder threads; 0 lets the encoder choose.
    public var threads: Int
    /// Whether frames carry an alpha channel (png, prores as 4444, vp9 in .webm/.mkv, ffv1; see
    /// ``VideoCodec/supportsAlpha``). Frames are then appended as ``RGBAImage``s.
    public var alpha = false
    /// Tags stored in the file (the container's metadata, readable with `ffprobe -show_format`; for
    /// PNG frames `tEXt` chunks): provenance such as the psgan version and the inputs' digests.
    public var metadata: [String: String] = [:]
    /// An audio track muxed in when the video is finished (not for PNG frames).
    public var audio: AudioTrack?

    /// Settings with the given values; the defaults give H.264 at 30 fps, CRF 18.
    public init(codec: VideoCodec = .h264, fps: Double = 30, crf: Int? = nil, threads: Int = 0) {
        self.codec = codec
        self.fps = fps
        self.crf = crf
        self.threads = threads
    }
}
