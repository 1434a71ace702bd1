import CFFmpeg
import Foundation

/// Encodes RGB frames into a video file (or a directory of PNGs) with FFmpeg, one frame at a time.
///
/// The container comes from `url`'s extension (.mp4, .mkv, .webm, .mov, case-insensitive) and must
/// suit the codec; for ``VideoCodec/png`` `url` names a directory that receives
/// `frame_000000.png`, `frame_000001.png`, .... Everything is written to a hidden temporary sibling
/// (``temporaryURL``) and renamed onto `url` by ``finish()``, so nothing appears at `url` until the
/// video is complete. An existing file at `url` is replaced then; for png, `url` may be absent or an
/// empty directory, never a file or a non-empty directory.
///
/// Chroma-subsampled codecs (h264, hevc, vp9, av1: yuv420p; prores: yuv422p10le) need even sizes,
/// so an odd width or height is padded up to even by repeating the last column or row
/// (``encodedWidth``/``encodedHeight`` tell the stored size). ffv1 and png keep the exact size and
/// the exact RGB bytes. YUV output uses the BT.709 matrix in limited range and is tagged so.
///
/// Any error thrown by ``append(_:)`` or ``finish()`` cancels the writer: the temporary output is
/// removed and later calls throw. Dropping an unfinished writer cancels it too.
/// A writer is not thread-safe; use it from one thread at a time. The temporary name carries the
/// process id, so two live writers in one process must not target the same output.
public final class VideoWriter {
    /// Where the finished video (or PNG directory) appears.
    public let outputURL: URL
    /// The hidden file (or directory) written until ``finish()``; remove it if the process is
    /// interrupted (for a directory, remove it recursively).
    public let temporaryURL: URL
    /// The settings the writer was opened with.
    public let settings: VideoSettings
    /// The size every appended image must have.
    public let width: Int
    /// The size every appended image must have.
    public let height: Int
    /// The stored width: ``width`` rounded up to even for chroma-subsampled codecs.
    public let encodedWidth: Int
    /// The stored height: ``height`` rounded up to even for chroma-subsampled codecs.
    public let encodedHeight: Int
    /// Where the frames go: a container file or a PNG directory.
    public let container: VideoContainer
    /// The FFmpeg encoder that was opened, e.g. `libx264` or `libaom-av1`.
    public internal(set) var encoderName = ""
    /// The frame rate as the exact ratio stored in the file.
    public let frameRate: (numerator: Int, denominator: Int)
    /// How many images have been appended and handed to the encoder.
    public private(set) var framesWritten = 0

    enum State { case open, finished, cancelled }
    var state = State.open

    var formatContext: UnsafeMutablePointer<AVFormatContext>?
    var codecContext: UnsafeMutablePointer<AVCodecContext>?
    var stream: UnsafeMutablePointer<AVStream>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var packet: UnsafeMutablePointer<AVPacket>?
    var scaler: OpaquePointer?
    /// The RGB24 image at the encoded size, handed to swscale (YUV codecs only). An FFmpeg-allocated
    /// frame because swscale's SIMD reads a little past the end of its input rows.
    var rgbFrame: UnsafeMutablePointer<AVFrame>?
    /// PNG files written so far (their numbering).
    var pngFilesWritten = 0
    /// The output path as given, for messages.
    let path: String
    /// The audio track's stream in the same file, written as the frames come (with ``VideoSettings/audio``).
    var audioLane: AudioLane?

    /// Opens an encoder writing to a temporary name beside `url`; nothing appears at `url` until `finish()`.
    ///
    /// - Throws: ``PSGANError`` for a bad size, frame rate or CRF, an unknown extension, a codec
    ///   the container cannot hold, an existing PNG target, a missing encoder, or an unwritable
    ///   directory. Argument and name problems are reported before anything touches the disk.
    public init(url: URL, width: Int, height: Int, settings: VideoSettings) throws {
        let path = url.path
        let codec = settings.codec
        guard width > 0, height > 0 else {
            throw PSGANError(.video, "\(path): frame size \(width)x\(height) must be positive")
        }
        try CanvasSize(width: width, height: height).checkOutputLimits(file: path, kind: .video)
        guard FrameRate.isValid(settings.fps) else {
            throw PSGANError(.video, "\(path): frame rate \(settings.fps) is outside the rates psgan writes (\(FrameRate.rangeDescription))")
        }
        guard settings.threads >= 0 else {
            throw PSGANError(.video, "\(path): thread count \(settings.threads) must be 0 (auto) or more")
        }
        if settings.crf != nil, codec.crfRange == nil {
            throw PSGANError(.video, "\(path): --crf does not apply to \(codec.rawValue), which has no rate factor (\(codec == .prores ? "its profile sets the quality" : "it is lossless"))")
        }
        if let crf = settings.crf, let range = codec.crfRange, !range.contains(crf) {
            throw PSGANError(.video, "\(path): crf \(crf) is out of range for \(codec.rawValue) "
                + "(\(range.lowerBound)...\(range.upperBound))")
        }
        let container = try Self.container(for: url, codec: codec)
        if settings.alpha {
            guard codec.supportsAlpha else {
                throw PSGANError(.video, "\(path): codec '\(codec.rawValue)' cannot carry an alpha channel (use \(VideoCodec.alphaCodecsList))")
            }
            if codec == .vp9 && container == .mp4 {
                throw PSGANError(.video, "\(path): VP9 with alpha needs a .webm or .mkv file")
            }
        }
        if let audio = settings.audio {
            guard container != .pngSequence else {
                throw PSGANError(.video, "\(path): PNG frames cannot carry audio (write a video file to add --audio)")
            }
            guard audio.offset.isFinite, abs(audio.offset) < AudioTrack.offsetLimit else {
                throw PSGANError(.video, "\(path): the audio offset must be a number of seconds under a day")
            }
        }
        try Self.checkExistingOutput(at: path, container: container)

        self.outputURL = url
        self.path = path
        self.settings = settings
        self.width = width
        self.height = height
        self.container = container
        self.encodedWidth = codec.needsEvenDimensions ? (width + 1) / 2 * 2 : width
        self.encodedHeight = codec.needsEvenDimensions ? (height + 1) / 2 * 2 : height
        let rate = Self.rational(fps: settings.fps)
        self.frameRate = (Int(rate.num), Int(rate.den))

        let partial = PartialOutput(output: url, keepsExtension: container != .pngSequence)
        partial.removeStale()
        self.temporaryURL = partial.temporaryURL

        do {
            try open(rate: rate)
        } catch {
            cancel()
            throw error
        }
    }

    deinit {
        cancel()
    }

    /// The length of `frames` frames at the file's exact frame rate, in seconds.
    func seconds(frames: Int) -> Double {
        Double(frames) * Double(frameRate.denominator) / Double(frameRate.numerator)
    }

    /// Encodes one image; its size must be the `width`×`height` given to `init`. A writer with
    /// alpha stores it opaque.
    ///
    /// - Throws: ``PSGANError`` if the size differs, the writer is finished or cancelled, or FFmpeg
    ///   fails; the writer is then cancelled.
    public func append(_ image: RGBImage) throws {
        if settings.alpha {
            try append(RGBAImage(opaque: image))
        } else {
            try append(pixels: image.pixels, channels: 3, width: image.width, height: image.height)
        }
    }

    /// Encodes one image with alpha; the writer must have been opened with ``VideoSettings/alpha``.
    public func append(_ image: RGBAImage) throws {
        guard settings.alpha else {
            cancel()
            throw PSGANError(.video, "\(path): internal error: an RGBA frame for a writer without alpha")
        }
        try append(pixels: image.pixels, channels: 4, width: image.width, height: image.height)
    }

    /// Encodes packed RGB (3 channels) or RGBA (4) pixels.
    private func append(pixels: [UInt8], channels: Int, width imageWidth: Int, height imageHeight: Int) throws {
        guard state == .open else {
            throw PSGANError(.video, "\(path): cannot append a frame: the writer was already \(stateName)")
        }
        do {
            guard imageWidth == width, imageHeight == height else {
                throw PSGANError(.video, "\(path): frame \(framesWritten) is \(imageWidth)x\(imageHeight) "
                    + "but the video is \(width)x\(height)")
            }
            guard let frame else { throw PSGANError(.video, "\(path): internal error: no frame buffer") }
            try check(av_frame_make_writable(frame), "cannot prepare a frame buffer")
            switch settings.codec {
            case .ffv1: copyBGR(pixels, channels: channels, into: frame)
            case .png: copyPacked(pixels, channels: channels, into: frame)
            case .h264, .hevc, .vp9, .av1, .prores: try convertToYUV(pixels, channels: channels, into: frame)
            }
            frame.pointee.pts = Int64(framesWritten)
            try encode(frame)
            framesWritten += 1
            try audioLane?.write(until: seconds(frames: framesWritten))
        } catch {
            cancel()
            throw error
        }
    }

    /// Flushes the encoder, completes the file and renames it onto ``outputURL`` (replacing an
    /// existing file there). Calling it again after success does nothing.
    ///
    /// - Throws: ``PSGANError`` if no frame was appended, the writer was cancelled, or writing or
    ///   renaming fails; the temporary output is removed then.
    public func finish() throws {
        switch state {
        case .finished: return
        case .cancelled: throw PSGANError(.video, "\(path): cannot finish: the writer was cancelled")
        case .open: break
        }
        do {
            guard framesWritten > 0 else {
                throw PSGANError(.video, "\(path): no frames were appended; nothing to write")
            }
            try encode(nil)
            try audioLane?.finish(videoSeconds: seconds(frames: framesWritten))
            if let formatContext {
                try check(av_write_trailer(formatContext), "cannot complete the file")
                try check(avio_closep(&formatContext.pointee.pb), "cannot write")
            }
            releaseFFmpeg()
            if rename(temporaryURL.path, path) != 0 {
                throw PSGANError(.video, "cannot write '\(path)': \(Self.posixMessage(errno))")
            }
            state = .finished
        } catch {
            cancel()
            throw error
        }
    }

    /// Runs `body` (which appends the frames), then ``finish()``; if either throws, ``cancel()``
    /// (nothing is left behind) and rethrows.
    public func complete(_ body: () throws -> Void) throws {
        do {
            try body()
            try finish()
        } catch {
            cancel()
            throw error
        }
    }

    /// Stops without producing output: closes the encoder and deletes the temporary output.
    /// Safe to call more than once, and after ``finish()`` (where it does nothing).
    public func cancel() {
        guard state == .open else { return }
        state = .cancelled
        releaseFFmpeg()
        try? FileManager.default.removeItem(atPath: temporaryURL.path)
    }

    // MARK: - Opening

    /// Allocates every FFmpeg object, opens the encoder, and creates the temporary output.
    private func open(rate: AVRational) throws {
        FFmpegLog.start()
        let codec = settings.codec

        if let muxer = container.muxerName {
            var context: UnsafeMutablePointer<AVFormatContext>?
            try check(avformat_alloc_output_context2(&context, nil, muxer, temporaryURL.path),
                      "cannot set up the \(container.displayName) muxer")
            formatContext = context
        }

        try openEncoder(rate: rate)
        guard let codecContext else { throw PSGANError(.video, "\(path): internal error: no encoder") }

        if let formatContext {
            guard let stream = avformat_new_stream(formatContext, nil) else {
                throw PSGANError(.video, "\(path): cannot add a video stream (out of memory)")
            }
            self.stream = stream
            stream.pointee.time_base = codecContext.pointee.time_base
            stream.pointee.avg_frame_rate = rate
            stream.pointee.r_frame_rate = rate
            try check(avcodec_parameters_from_context(stream.pointee.codecpar, codecContext),
                      "cannot copy the encoder parameters")
            if codec == .hevc, container == .mp4 || container == .mov {
                stream.pointee.codecpar.pointee.codec_tag = psgan_mktag(0x68, 0x76, 0x63, 0x31) // "hvc1"
            }
        }

        guard let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw PSGANError(.video, "\(path): out of memory allocating a frame")
        }
        self.frame = frame
        self.packet = packet
        frame.pointee.format = codec.pixelFormat(alpha: settings.alpha).rawValue
        frame.pointee.width = Int32(encodedWidth)
        frame.pointee.height = Int32(encodedHeight)
        try check(av_frame_get_buffer(frame, 0), "cannot allocate a frame buffer")
        // Some encoders (prores_ks) take the colour tags from each frame rather than the context.
        frame.pointee.colorspace = codecContext.pointee.colorspace
        frame.pointee.color_primaries = codecContext.pointee.color_primaries
        frame.pointee.color_trc = codecContext.pointee.color_trc
        frame.pointee.color_range = codecContext.pointee.color_range

        if codec.isYUV {
            let source = settings.alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24
            scaler = sws_getContext(Int32(encodedWidth), Int32(encodedHeight), source,
                                    Int32(encodedWidth), Int32(encodedHeight), codec.pixelFormat(alpha: settings.alpha),
                                    SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil)
            guard let scaler else {
                throw PSGANError(.video, "\(path): cannot convert RGB to \(codec.pixelFormatName(alpha: settings.alpha))")
            }
            guard let rgbFrame = av_frame_alloc() else {
                throw PSGANError(.video, "\(path): out of memory allocating a frame")
            }
            self.rgbFrame = rgbFrame
            rgbFrame.pointee.format = source.rawValue
            rgbFrame.pointee.width = Int32(encodedWidth)
            rgbFrame.pointee.height = Int32(encodedHeight)
            try check(av_frame_get_buffer(rgbFrame, 0), "cannot allocate a frame buffer")
            // RGB is full range; YUV is limited-range BT.709, matching the stream's colour tags.
            let bt709 = sws_getCoefficients(SWS_CS_ITU709)
            _ = sws_setColorspaceDetails(scaler, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16)
        }

        // The audio's stream, checked (its first audio read or decoded) before the disk is touched.
        if let audio = settings.audio, let formatContext {
            audioLane = try AudioLane(track: audio, container: container, output: formatContext, path: path)
        }

        // Only now touch the disk.
        if let formatContext {
            let flags = formatContext.pointee.oformat.pointee.flags
            if flags & psgan_avfmt_nofile() == 0 {
                let status = avio_open(&formatContext.pointee.pb, temporaryURL.path, AVIO_FLAG_WRITE)
                if status < 0 {
                    throw PSGANError(.video, "cannot write '\(path)': \(Self.ffmpegMessage(status))")
                }
            }
            var options: OpaquePointer?
            defer { av_dict_free(&options) }
            if container == .mp4 || container == .mov {
                // use_metadata_tags: keep tags the format has no atom of its own for (provenance).
                av_dict_set(&options, "movflags", "+faststart+use_metadata_tags", 0)
            }
            for (key, value) in settings.metadata.sorted(by: { $0.key < $1.key }) {
                av_dict_set(&formatContext.pointee.metadata, key, value, 0)
            }
            try check(avformat_write_header(formatContext, &options), "cannot write the file header")
        } else {
            // A PNG directory. A stale one left by a crashed run with this pid is ours to replace.
            try? FileManager.default.removeItem(atPath: temporaryURL.path)
            if mkdir(temporaryURL.path, 0o777) != 0 {
                throw PSGANError(.video, "cannot write '\(path)': \(Self.posixMessage(errno))")
            }
        }
    }
}
