import CFFmpeg
import Foundation

/// Reads RGB frames, one at a time, from a video file, a single image file, or a directory of PNGs.
///
/// Decoding goes through FFmpeg's libraries: any container, codec and pixel format they know comes
/// out as 8-bit ``RGBImage`` frames via swscale (alpha is dropped; YUV uses the stream's matrix and
/// range tags, BT.601 limited range when untagged). Odd sizes are kept exactly. A directory yields
/// its `*.png` files (case-insensitive, hidden files skipped) sorted by name; every one must have
/// the first one's size. Only one frame is held at a time.
///
/// A reader is not thread-safe. Errors are ``PSGANError``s naming the file.
public final class FrameReader {
    /// What was opened: the video or image file, or the directory.
    public let url: URL
    /// Frame width in pixels.
    public let width: Int
    /// Frame height in pixels.
    public let height: Int
    /// Frames per second of a video, when the container says; nil for images and directories.
    public let frameRate: Double?
    /// The number of frames when known without decoding: 1 for an image, the file count for a
    /// directory, the container's count for a video that stores one; else nil.
    public let frameCount: Int?
    /// For a directory, its PNG files in reading order; empty otherwise.
    public let frameFiles: [URL]
    /// How many frames ``next()`` has returned.
    public private(set) var framesRead = 0

    /// The file being decoded now and the index of the next one in ``frameFiles``.
    private var current: Decoder?
    private var nextFileIndex = 0

    /// Opens `url`: a directory of PNGs, or any file FFmpeg can decode (video or image).
    public init(url: URL) throws {
        self.url = url
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PSGANError(.input, file: url.path, "no such file or directory")
        }
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            } catch {
                throw PSGANError(.input, file: url.path, "cannot list the directory (\(ErrorText.reason(error)))")
            }
            let files = names.filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png") }.sorted()
                .map { url.appendingPathComponent($0) }
            guard let first = files.first else {
                throw PSGANError(.input, file: url.path, "directory holds no .png files")
            }
            let decoder = try Decoder(path: first.path)
            frameFiles = files
            current = decoder
            nextFileIndex = 1
            width = decoder.width
            height = decoder.height
            frameRate = nil
            frameCount = files.count
        } else {
            let decoder = try Decoder(path: url.path)
            frameFiles = []
            current = decoder
            width = decoder.width
            height = decoder.height
            frameRate = decoder.isImage ? nil : decoder.frameRate
            frameCount = decoder.isImage ? 1 : decoder.frameCount
        }
    }

    /// The next frame, or nil after the last one.
    public func next() throws -> RGBImage? {
        while let decoder = current {
            if let image = try decoder.next() {
                guard image.width == width, image.height == height else {
                    throw PSGANError(.input, file: decoder.path, "frame is \(image.width)x\(image.height) but the first frame is \(width)x\(height)")
                }
                framesRead += 1
                return image
            }
            // A file that ends without one picture is corrupt or truncated; skipping it would shift
            // every later frame of a directory onto the wrong name.
            guard decoder.framesDecoded > 0 else {
                throw PSGANError(.input, file: decoder.path, "no decodable picture in the file (corrupt or truncated data)" + decoder.ffmpegReason)
            }
            current = nil
            if nextFileIndex < frameFiles.count {
                current = try Decoder(path: frameFiles[nextFileIndex].path)
                nextFileIndex += 1
            }
        }
        return nil
    }

    /// One open file: demuxer, decoder and RGB converter.
    private final class Decoder {
        let path: String
        private(set) var width = 0
        private(set) var height = 0
        private(set) var frameRate: Double?
        private(set) var frameCount: Int?
        /// Whether the demuxer is an image reader (one picture, no meaningful frame rate).
        private(set) var isImage = false
        /// Pictures decoded from this file so far.
        private(set) var framesDecoded = 0
        /// This file's tag in FFmpeg's log: any error FFmpeg logs while reading the file (damage it
        /// concealed or skipped) stops the reading.
        private let logTag: FFmpegLog.Tag

        private var formatContext: UnsafeMutablePointer<AVFormatContext>?
        private var codecContext: UnsafeMutablePointer<AVCodecContext>?
        private var frame: UnsafeMutablePointer<AVFrame>?
        private var rgbFrame: UnsafeMutablePointer<AVFrame>?
        private var packet: UnsafeMutablePointer<AVPacket>?
        private var scaler: OpaquePointer?
        private var scalerKey: (format: Int32, space: Int32, range: Int32)?
        private var streamIndex: Int32 = -1
        private var draining = false
        private var finished = false

        init(path: String) throws {
            self.path = path
            logTag = FFmpegLog.start()
            var context: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
            context?.pointee.opaque = logTag.pointer
            let opened = avformat_open_input(&context, path, nil, nil)
            guard opened >= 0, let context else {
                throw PSGANError(.input, file: path, "cannot open (\(Self.message(opened)))")
            }
            formatContext = context
            do {
                let info = avformat_find_stream_info(context, nil)
                guard info >= 0 else { throw PSGANError(.input, file: path, "cannot read the stream info (\(Self.message(info)))") }
                var decoder: UnsafePointer<AVCodec>?
                let stream = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
                guard stream >= 0, let decoder, let avStream = context.pointee.streams[Int(stream)] else {
                    throw PSGANError(.input, file: path, "holds no decodable video or image stream")
                }
                streamIndex = stream
                guard let codec = avcodec_alloc_context3(decoder) else {
                    throw PSGANError(.input, file: path, "out of memory allocating a decoder")
                }
                codecContext = codec
                codec.pointee.opaque = logTag.pointer
                guard avcodec_parameters_to_context(codec, avStream.pointee.codecpar) >= 0 else {
                    throw PSGANError(.input, file: path, "cannot set up the decoder")
                }
                codec.pointee.thread_count = 0
                let status = avcodec_open2(codec, decoder, nil)
                guard status >= 0 else {
                    throw PSGANError(.input, file: path, "cannot open the \(String(cString: decoder.pointee.name)) decoder (\(Self.message(status)))")
                }
                let w = Int(avStream.pointee.codecpar.pointee.width), h = Int(avStream.pointee.codecpar.pointee.height)
                guard w > 0, h > 0 else { throw PSGANError(.input, file: path, "is damaged or cut short: its header gives no picture size" + ffmpegReason) }
                width = w
                height = h
                let demuxer = String(cString: context.pointee.iformat.pointee.name)
                isImage = demuxer == "image2" || demuxer.hasSuffix("_pipe")
                let rate = avStream.pointee.avg_frame_rate.num > 0 && avStream.pointee.avg_frame_rate.den > 0
                    ? avStream.pointee.avg_frame_rate : avStream.pointee.r_frame_rate
                frameRate = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
                if !isImage, let fps = frameRate, !FrameRate.isValid(fps) {
                    throw PSGANError(.input, file: path, "declares \(fps) frames per second; psgan reads rates \(FrameRate.rangeDescription)")
                }
                frameCount = avStream.pointee.nb_frames > 0 ? Int(avStream.pointee.nb_frames) : nil
                guard let f = av_frame_alloc(), let rgb = av_frame_alloc(), let p = av_packet_alloc() else {
                    throw PSGANError(.input, file: path, "out of memory allocating a frame")
                }
                frame = f
                rgbFrame = rgb
                packet = p
                rgb.pointee.format = AV_PIX_FMT_RGB24.rawValue
                rgb.pointee.width = Int32(w)
                rgb.pointee.height = Int32(h)
                guard av_frame_get_buffer(rgb, 0) >= 0 else {
                    throw PSGANError(.input, file: path, "out of memory allocating a frame")
                }
            } catch {
                release()
                throw error
            }
        }

        deinit { release() }

        private func release() {
            if formatContext != nil { avformat_close_input(&formatContext) }
            avcodec_free_context(&codecContext)
            av_frame_free(&frame)
            av_frame_free(&rgbFrame)
            av_packet_free(&packet)
            if let scaler { sws_freeContext(scaler) }
            scaler = nil
            FFmpegLog.end(logTag)
        }

        /// " (FFmpeg: LINE)" with the last error FFmpeg logged for this file, or "".
        var ffmpegReason: String { FFmpegLog.lastErrorSuffix(logTag) }

        /// Decodes the next frame of this file, or nil at its end.
        func next() throws -> RGBImage? {
            guard !finished, let codecContext, let frame, let packet, let formatContext else { return nil }
            while true {
                let received = avcodec_receive_frame(codecContext, frame)
                if received >= 0 {
                    defer { av_frame_unref(frame) }
                    try checkDamage()
                    framesDecoded += 1
                    return try convert(frame)
                }
                if received == psgan_averror_eof() {
                    try checkDamage()
                    finished = true
                    return nil
                }
                guard received == psgan_averror_eagain() else {
                    throw PSGANError(.input, file: path, "cannot decode the picture after frame \(framesDecoded) (\(Self.message(received)))" + ffmpegReason)
                }
                if draining {
                    finished = true
                    return nil
                }
                let read = av_read_frame(formatContext, packet)
                if read == psgan_averror_eof() {
                    draining = true
                    _ = avcodec_send_packet(codecContext, nil)
                    continue
                }
                guard read >= 0 else { throw PSGANError(.input, file: path, "cannot read after frame \(framesDecoded) (\(Self.message(read)))" + ffmpegReason) }
                defer { av_packet_unref(packet) }
                guard packet.pointee.stream_index == streamIndex else { continue }
                let sent = avcodec_send_packet(codecContext, packet)
                guard sent >= 0 || sent == psgan_averror_eagain() else {
                    throw PSGANError(.input, file: path, "cannot decode the picture after frame \(framesDecoded) (\(Self.message(sent)))" + ffmpegReason)
                }
            }
        }

        /// Throws when FFmpeg logged an error since this file was opened: damaged data that its demuxer
        /// skipped or its decoder concealed, which would otherwise drop or garble a frame silently.
        private func checkDamage() throws {
            guard FFmpegLog.errorCount(logTag) > 0 else { return }
            throw PSGANError(.input, file: path, "damaged data near frame \(framesDecoded + 1)" + ffmpegReason)
        }

        /// Converts a decoded frame of any pixel format to packed RGB24.
        private func convert(_ frame: UnsafeMutablePointer<AVFrame>) throws -> RGBImage {
            guard let rgbFrame else { throw PSGANError(.input, file: path, "internal error: no frame buffer") }
            let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
            guard w == width, h == height else {
                throw PSGANError(.input, file: path, "frame size changes from \(width)x\(height) to \(w)x\(h) mid-stream")
            }
            let format = frame.pointee.format
            let key = (format, Int32(frame.pointee.colorspace.rawValue), Int32(frame.pointee.color_range.rawValue))
            if scaler == nil || scalerKey.map({ $0 != key }) ?? true {
                if let scaler { sws_freeContext(scaler) }
                scaler = sws_getContext(Int32(w), Int32(h), AVPixelFormat(rawValue: format), Int32(w), Int32(h), AV_PIX_FMT_RGB24,
                                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nil, nil, nil)
                guard let scaler else {
                    let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: format)).map { String(cString: $0) } ?? "unknown"
                    throw PSGANError(.input, file: path, "cannot convert pixel format \(name) to RGB")
                }
                scalerKey = key
                if let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)),
                   descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0 {
                    let space: Int32
                    switch frame.pointee.colorspace {
                    case AVCOL_SPC_BT709: space = SWS_CS_ITU709
                    case AVCOL_SPC_BT2020_NCL, AVCOL_SPC_BT2020_CL: space = SWS_CS_BT2020
                    default: space = SWS_CS_DEFAULT
                    }
                    let name = String(cString: descriptor.pointee.name)
                    let full: Int32 = frame.pointee.color_range == AVCOL_RANGE_JPEG || name.hasPrefix("yuvj") ? 1 : 0
                    let coefficients = sws_getCoefficients(space)
                    _ = sws_setColorspaceDetails(scaler, coefficients, full, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
                }
            }
            let status = withUnsafePointer(to: &frame.pointee.data) { sourceData in
                withUnsafePointer(to: &frame.pointee.linesize) { sourceLinesize in
                    withUnsafePointer(to: &rgbFrame.pointee.data) { data in
                        withUnsafePointer(to: &rgbFrame.pointee.linesize) { linesize in
                            sws_scale(scaler,
                                      UnsafeRawPointer(sourceData).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                                      UnsafeRawPointer(sourceLinesize).assumingMemoryBound(to: Int32.self),
                                      0, Int32(h),
                                      UnsafeRawPointer(data).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                      UnsafeRawPointer(linesize).assumingMemoryBound(to: Int32.self))
                        }
                    }
                }
            }
            guard status == Int32(h), let plane = rgbFrame.pointee.data.0 else {
                throw PSGANError(.input, file: path, "cannot convert a frame to RGB")
            }
            let stride = Int(rgbFrame.pointee.linesize.0)
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<h {
                    (out.baseAddress! + y * w * 3).update(from: plane + y * stride, count: w * 3)
                }
            }
            return RGBImage(width: w, height: h, pixels: pixels)
        }

        private static func message(_ status: Int32) -> String { FFmpegLog.message(status) }
    }
}
