import CFFmpeg
import Foundation

/// A video codec the encoder stage can write, with the FFmpeg encoder, pixel format and
/// containers that go with it.
///
/// Parse user input with ``init(parsing:)``, which accepts the raw values (`h264`, `hevc`, ...)
/// case-insensitively plus a few common aliases (`h265`, `avc`, `h.264`, `h.265`).
public enum VideoCodec: String, CaseIterable, Sendable {
    /// H.264 / AVC through libx264 (preset `medium`), 8-bit 4:2:0. The most widely playable choice.
    case h264
    /// H.265 / HEVC through libx265, 8-bit 4:2:0; tagged `hvc1` in .mp4/.mov so Apple players accept it.
    case hevc
    /// VP9 through libvpx-vp9 in constant-quality mode, 8-bit 4:2:0. The usual codec for .webm.
    case vp9
    /// AV1 through libsvtav1, falling back to libaom-av1 and then librav1e, 8-bit 4:2:0.
    ///
    /// SVT-AV1 refuses frames smaller than 64×64, so smaller clips go straight to libaom-av1.
    case av1
    /// Apple ProRes 422 HQ through prores_ks, 10-bit 4:2:2. Intra-only, large files, easy to edit.
    case prores
    /// FFV1 (level 3), mathematically lossless RGB: decoding gives back the appended bytes exactly.
    ///
    /// Stored as `bgr0` because FFmpeg 5.1's FFV1 encoder has no 8-bit planar RGB (`gbrp`) input;
    /// the samples are copied, never colour-converted, so nothing is rounded.
    case ffv1
    /// A directory of lossless RGB PNG files, `frame_000000.png`, `frame_000001.png`, ...
    case png

    /// The codec for writing to `output`: `requested` when given, else the one the output's
    /// extension implies (`.webm` → VP9, `.mp4`/`.mkv`/`.mov` → H.264), else H.264 (the writer then
    /// reports an unknown extension).
    public static func resolved(_ requested: VideoCodec?, for output: URL) -> VideoCodec {
        requested ?? VideoContainer(fileExtension: output.pathExtension)?.defaultCodec ?? .h264
    }

    /// Parses a codec name case-insensitively, accepting aliases such as `h265` for ``hevc``.
    ///
    /// - Throws: ``PSGANError`` naming the unknown codec and listing the known ones.
    public init(parsing text: String) throws {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let codec = VideoCodec(rawValue: key) {
            self = codec
            return
        }
        if let codec = VideoCodec.allCases.first(where: { $0.aliases.contains(key) }) {
            self = codec
            return
        }
        let known = VideoCodec.allCases.map(\.rawValue).joined(separator: ", ")
        throw PSGANError(.video, "unknown codec '\(text)' (known: \(known))")
    }

    /// Other names accepted by ``init(parsing:)``.
    public var aliases: [String] {
        switch self {
        case .h264: return ["avc", "h.264"]
        case .hevc: return ["h265", "h.265"]
        case .vp9, .av1, .prores, .ffv1, .png: return []
        }
    }

    /// Where this codec goes when the caller does not say: .mp4 for H.264/HEVC/AV1, .webm for VP9,
    /// .mov for ProRes, .mkv for FFV1 and a frame directory for PNG.
    public var defaultContainer: VideoContainer {
        switch self {
        case .h264, .hevc, .av1: return .mp4
        case .vp9: return .webm
        case .prores: return .mov
        case .ffv1: return .mkv
        case .png: return .pngSequence
        }
    }

    /// Every container this codec may be written into; the first is ``defaultContainer``.
    public var allowedContainers: [VideoContainer] {
        switch self {
        case .h264, .hevc: return [.mp4, .mkv, .mov]
        case .vp9: return [.webm, .mkv, .mp4]
        case .av1: return [.mp4, .mkv, .webm]
        case .prores: return [.mov, .mkv]
        case .ffv1: return [.mkv]
        case .png: return [.pngSequence]
        }
    }

    /// FFmpeg encoder names to try, in order of preference.
    public var encoderNames: [String] {
        switch self {
        case .h264: return ["libx264"]
        case .hevc: return ["libx265"]
        case .vp9: return ["libvpx-vp9"]
        case .av1: return ["libsvtav1", "libaom-av1", "librav1e"]
        case .prores: return ["prores_ks"]
        case .ffv1: return ["ffv1"]
        case .png: return ["png"]
        }
    }

    /// The pixel format handed to the encoder, as FFmpeg (and `ffprobe`) names it.
    public var pixelFormatName: String {
        switch self {
        case .h264, .hevc, .vp9, .av1: return "yuv420p"
        case .prores: return "yuv422p10le"
        case .ffv1: return "bgr0"
        case .png: return "rgb24"
        }
    }

    /// Whether the codec can carry an alpha channel: PNG (RGBA), ProRes 4444 (`yuva444p10le`),
    /// VP9 (`yuva420p`, in .webm or .mkv) and FFV1 (`bgra`).
    public var supportsAlpha: Bool {
        switch self {
        case .png, .prores, .vp9, .ffv1: return true
        case .h264, .hevc, .av1: return false
        }
    }

    /// The codecs that can carry alpha, for messages.
    public static let alphaCodecsList = allCases.filter(\.supportsAlpha).map(\.rawValue).joined(separator: ", ")

    /// The pixel format's name with or without alpha.
    public func pixelFormatName(alpha: Bool) -> String {
        guard alpha, supportsAlpha else { return pixelFormatName }
        switch self {
        case .png: return "rgba"
        case .prores: return "yuva444p10le"
        case .vp9: return "yuva420p"
        case .ffv1: return "bgra"
        case .h264, .hevc, .av1: return pixelFormatName
        }
    }

    /// The FFmpeg pixel format with or without alpha.
    func pixelFormat(alpha: Bool) -> AVPixelFormat {
        guard alpha, supportsAlpha else { return pixelFormat }
        switch self {
        case .png: return AV_PIX_FMT_RGBA
        case .prores: return AV_PIX_FMT_YUVA444P10LE
        case .vp9: return AV_PIX_FMT_YUVA420P
        case .ffv1: return AV_PIX_FMT_BGRA
        case .h264, .hevc, .av1: return pixelFormat
        }
    }

    /// The constant-rate factor used when ``VideoSettings/crf`` is nil; nil for codecs without one.
    public var defaultCRF: Int? {
        switch self {
        case .h264: return 18
        case .hevc: return 20
        case .vp9: return 31
        case .av1: return 30
        case .prores, .ffv1, .png: return nil
        }
    }

    /// The valid ``VideoSettings/crf`` range, or nil when the codec ignores CRF.
    public var crfRange: ClosedRange<Int>? {
        switch self {
        case .h264, .hevc: return 0...51
        case .vp9, .av1: return 0...63
        case .prores, .ffv1, .png: return nil
        }
    }

    /// Whether chroma is subsampled horizontally and vertically by the encoder's pixel format,
    /// in which case odd frame sizes are padded up to even (see ``VideoWriter``).
    public var needsEvenDimensions: Bool {
        switch self {
        case .h264, .hevc, .vp9, .av1, .prores: return true
        case .ffv1, .png: return false
        }
    }

    /// Whether the output is YUV (and therefore carries colour-matrix metadata).
    var isYUV: Bool { needsEvenDimensions }

    /// The FFmpeg pixel format handed to the encoder.
    var pixelFormat: AVPixelFormat {
        switch self {
        case .h264, .hevc, .vp9, .av1: return AV_PIX_FMT_YUV420P
        case .prores: return AV_PIX_FMT_YUV422P10LE
        case .ffv1: return AV_PIX_FMT_BGR0
        case .png: return AV_PIX_FMT_RGB24
        }
    }
}

/// Where encoded video is stored: a container file chosen by extension, or a directory of PNGs.
public enum VideoContainer: String, CaseIterable, Sendable {
    /// MPEG-4 Part 14 (`.mp4`).
    case mp4
    /// Matroska (`.mkv`).
    case mkv
    /// WebM (`.webm`), the Matroska subset for VP9/AV1.
    case webm
    /// QuickTime (`.mov`).
    case mov
    /// A directory of numbered PNG files (any name; not a file extension).
    case pngSequence = "png-sequence"

    /// The container for a file extension (without the dot, case-insensitive), or nil if unknown.
    /// Never returns ``pngSequence``.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "mp4": self = .mp4
        case "mkv": self = .mkv
        case "webm": self = .webm
        case "mov": self = .mov
        default: return nil
        }
    }

    /// The file extension without the dot, or nil for ``pngSequence``.
    public var fileExtension: String? {
        switch self {
        case .mp4: return "mp4"
        case .mkv: return "mkv"
        case .webm: return "webm"
        case .mov: return "mov"
        case .pngSequence: return nil
        }
    }

    /// The codec to use when only the output name is known: VP9 for .webm, PNG for a frame
    /// directory, H.264 otherwise.
    public var defaultCodec: VideoCodec {
        switch self {
        case .mp4, .mkv, .mov: return .h264
        case .webm: return .vp9
        case .pngSequence: return .png
        }
    }

    /// The libavformat muxer name, or nil for ``pngSequence`` (written file by file).
    var muxerName: String? {
        switch self {
        case .mp4: return "mp4"
        case .mkv: return "matroska"
        case .webm: return "webm"
        case .mov: return "mov"
        case .pngSequence: return nil
        }
    }

    /// How the container is written in messages: `.mp4`, or "a PNG frame directory".
    var displayName: String {
        if let ext = fileExtension { return ".\(ext)" }
        return "a PNG frame directory"
    }

    /// The known file extensions, for messages: ".mp4, .mkv, .webm or .mov".
    static var knownExtensionsList: String {
        let names = allCases.compactMap(\.fileExtension).map { ".\($0)" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}
