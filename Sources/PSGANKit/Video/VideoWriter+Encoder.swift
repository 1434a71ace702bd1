import CFFmpeg
import Foundation

/// Choosing, configuring and opening a ``VideoWriter``'s encoder.
extension VideoWriter {
    /// Opens the first of the codec's encoders that is available and accepts the settings.
    func openEncoder(rate: AVRational) throws {
        let codec = settings.codec
        var failures: [String] = []
        var found = false
        for name in codec.encoderNames {
            // SVT-AV1 rejects frames under 64×64; the next AV1 encoder handles them.
            if name == "libsvtav1", encodedWidth < 64 || encodedHeight < 64 { continue }
            guard let encoder = avcodec_find_encoder_by_name(name) else { continue }
            found = true
            guard let context = avcodec_alloc_context3(encoder) else {
                throw PSGANError(.video, "\(path): out of memory allocating the \(name) encoder")
            }
            codecContext = context
            configure(context, encoderName: name, rate: rate)
            var options = encoderOptions(for: name)
            let status = avcodec_open2(context, encoder, &options)
            av_dict_free(&options)
            if status >= 0 {
                encoderName = name
                return
            }
            failures.append("\(name): \(Self.ffmpegMessage(status))")
            avcodec_free_context(&codecContext)
        }
        if !found {
            if codec.encoderNames.count == 1 {
                throw PSGANError(.video, "\(path): encoder \(codec.encoderNames[0]) is not available in this FFmpeg build")
            }
            throw PSGANError(.video, "\(path): no \(codec.rawValue) encoder is available in this FFmpeg build "
                + "(tried \(codec.encoderNames.joined(separator: ", ")))")
        }
        throw PSGANError(.video, "\(path): cannot open the \(codec.rawValue) encoder at \(encodedWidth)x\(encodedHeight) "
            + "(\(failures.joined(separator: "; ")))")
    }

    /// Sets size, timing, pixel format, colour tags and threading on a fresh encoder context.
    func configure(_ context: UnsafeMutablePointer<AVCodecContext>, encoderName: String, rate: AVRational) {
        let codec = settings.codec
        context.pointee.width = Int32(encodedWidth)
        context.pointee.height = Int32(encodedHeight)
        context.pointee.time_base = av_inv_q(rate)
        context.pointee.framerate = rate
        context.pointee.pix_fmt = codec.pixelFormat(alpha: settings.alpha)
        context.pointee.thread_count = Int32(settings.threads)
        if codec.isYUV {
            context.pointee.colorspace = AVCOL_SPC_BT709
            context.pointee.color_primaries = AVCOL_PRI_BT709
            context.pointee.color_trc = AVCOL_TRC_BT709
            context.pointee.color_range = AVCOL_RANGE_MPEG
        }
        if codec == .png {
            // zlib level 1 instead of 6: half the encoding time of a 1024x1024 frame (64 against 125
            // ms on noise, 9 against 12 ms on a 512x512 character frame), files about 9 % larger,
            // lossless either way; while frames are generated on every core, encoding time is time
            // taken from them (docs/performance.md).
            context.pointee.compression_level = 1
        }
        if encoderName == "libvpx-vp9" || encoderName == "libaom-av1" {
            context.pointee.bit_rate = 0 // constant quality, no bitrate cap
        }
        if let formatContext, formatContext.pointee.oformat.pointee.flags & psgan_avfmt_globalheader() != 0 {
            context.pointee.flags |= psgan_codec_flag_global_header()
        }
    }

    /// SVT-AV1 logs to stderr on its own, not through FFmpeg; ask it for errors only (once per
    /// process, and never overriding an `SVT_LOG` the user set).
    static let quietSVTAV1: Void = {
        setenv("SVT_LOG", "1", 0)
    }()

    /// Encoder-private options (CRF, speed, profile) for one FFmpeg encoder.
    func encoderOptions(for encoderName: String) -> OpaquePointer? {
        let crf = settings.crf ?? settings.codec.defaultCRF ?? 0
        var pairs: [(String, String)] = []
        switch encoderName {
        case "libx264":
            pairs = [("preset", "medium"), ("crf", "\(crf)")]
        case "libx265":
            // x265 3.5's lookahead (cuTree) writes past a buffer for frames narrower than 64
            // pixels, corrupting the heap; turn it off for such tiny frames.
            let params = encodedWidth < 64 ? "log-level=error:cutree=0" : "log-level=error"
            pairs = [("preset", "medium"), ("crf", "\(crf)"), ("x265-params", params)]
        case "libvpx-vp9":
            pairs = [("crf", "\(crf)"), ("deadline", "good"), ("cpu-used", "4"), ("row-mt", "1")]
            // libvpx holds lag-in-frames (25) frames ahead, twice with alpha: over 2 GB at 4K. Frames
            // above 1080p look 8 ahead instead (1.6 GB at 4096x2160 with alpha).
            if encodedWidth * encodedHeight > 1920 * 1088 { pairs.append(("lag-in-frames", "8")) }
        case "libsvtav1":
            _ = Self.quietSVTAV1
            pairs = [("crf", "\(crf)"), ("preset", "8")]
        case "libaom-av1":
            pairs = [("crf", "\(crf)"), ("cpu-used", "8"), ("row-mt", "1")]
        case "librav1e":
            pairs = [("qp", "\(min(255, crf * 4))"), ("speed", "8")] // rav1e's quantizer is 0...255
        case "prores_ks":
            pairs = [("profile", settings.alpha ? "4444" : "hq")]
        case "ffv1":
            pairs = [("level", "3")]
        default:
            break
        }
        var options: OpaquePointer?
        for (key, value) in pairs {
            av_dict_set(&options, key, value, 0)
        }
        return options
    }
}
