import CFFmpeg
import Foundation

/// Frame conversion, encoding, and clean-up of a ``VideoWriter``.
extension VideoWriter {
    // MARK: - Frames

    /// Packs RGB (3 channels) or RGBA (4) into FFV1's bgr0 or bgra layout, byte for byte.
    func copyBGR(_ pixels: [UInt8], channels: Int, into frame: UnsafeMutablePointer<AVFrame>) {
        let stride = Int(frame.pointee.linesize.0)
        guard let plane = frame.pointee.data.0 else { return }
        pixels.withUnsafeBufferPointer { source in
            for y in 0..<height {
                let row = plane + y * stride
                let sourceRow = y * width * channels
                for x in 0..<width {
                    let s = sourceRow + x * channels
                    row[x * 4 + 0] = source[s + 2]
                    row[x * 4 + 1] = source[s + 1]
                    row[x * 4 + 2] = source[s + 0]
                    row[x * 4 + 3] = channels == 4 ? source[s + 3] : 0
                }
            }
        }
    }

    /// Copies packed rows (RGB24 or RGBA) into a frame of the same layout at the encoded size,
    /// repeating the last column and row when that size is larger than the image (the frame's rows
    /// may be padded for alignment).
    func copyPacked(_ pixels: [UInt8], channels: Int, into frame: UnsafeMutablePointer<AVFrame>) {
        let stride = Int(frame.pointee.linesize.0)
        guard let plane = frame.pointee.data.0 else { return }
        let rowBytes = width * channels
        pixels.withUnsafeBufferPointer { source in
            for y in 0..<encodedHeight {
                let row = plane + y * stride
                let sourceRow = source.baseAddress! + min(y, height - 1) * rowBytes
                row.update(from: sourceRow, count: rowBytes)
                for x in width..<encodedWidth {
                    (row + x * channels).update(from: sourceRow + (width - 1) * channels, count: channels)
                }
            }
        }
    }

    /// Converts RGB24 or RGBA to the codec's YUV(A) format with swscale, padding odd sizes first.
    func convertToYUV(_ pixels: [UInt8], channels: Int, into frame: UnsafeMutablePointer<AVFrame>) throws {
        guard let rgbFrame, let scaler else { throw PSGANError(.video, "\(path): internal error: no converter") }
        copyPacked(pixels, channels: channels, into: rgbFrame)
        let status = withUnsafePointer(to: &rgbFrame.pointee.data) { sourceData in
            withUnsafePointer(to: &rgbFrame.pointee.linesize) { sourceLinesize in
                withUnsafePointer(to: &frame.pointee.data) { data in
                    withUnsafePointer(to: &frame.pointee.linesize) { linesize in
                        sws_scale(scaler,
                                  UnsafeRawPointer(sourceData).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                                  UnsafeRawPointer(sourceLinesize).assumingMemoryBound(to: Int32.self),
                                  0, Int32(encodedHeight),
                                  UnsafeRawPointer(data).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                  UnsafeRawPointer(linesize).assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        }
        if status != Int32(encodedHeight) {
            throw PSGANError(.video, "\(path): converting frame \(framesWritten) to \(settings.codec.pixelFormatName(alpha: settings.alpha)) failed")
        }
    }

    // MARK: - Encoding

    /// Sends one frame (nil flushes) and writes every packet the encoder has ready.
    func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        guard let codecContext, let packet else { throw PSGANError(.video, "\(path): internal error: encoder closed") }
        try check(avcodec_send_frame(codecContext, frame), "\(encoderName) rejected frame \(framesWritten)")
        while true {
            let status = avcodec_receive_packet(codecContext, packet)
            if status == psgan_averror_eagain() || status == psgan_averror_eof() { return }
            try check(status, "\(encoderName) failed to encode")
            defer { av_packet_unref(packet) }
            try write(packet)
        }
    }

    /// Hands a packet to the muxer with timestamps in the stream's time base, or saves it as a PNG.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        guard let formatContext, let stream, let codecContext else {
            try writePNG(packet)
            return
        }
        if packet.pointee.duration == 0 { packet.pointee.duration = 1 }
        av_packet_rescale_ts(packet, codecContext.pointee.time_base, stream.pointee.time_base)
        packet.pointee.stream_index = stream.pointee.index
        try check(av_interleaved_write_frame(formatContext, packet), "cannot write")
    }

    /// Writes one encoded PNG as `frame_NNNNNN.png` in the temporary directory.
    func writePNG(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        let name = String(format: "frame_%06d.png", pngFilesWritten)
        let filePath = temporaryURL.appendingPathComponent(name).path
        guard let file = fopen(filePath, "wb") else {
            throw PSGANError(.video, "cannot write '\(path)/\(name)': \(Self.posixMessage(errno))")
        }
        let bytes = PNGFile.insertingText(settings.metadata, into: Data(bytes: packet.pointee.data, count: Int(packet.pointee.size)))
        let size = bytes.count
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, size, file) }
        let writeError = errno
        let closed = fclose(file)
        if written != size || closed != 0 {
            throw PSGANError(.video, "cannot write '\(path)/\(name)': \(Self.posixMessage(written != size ? writeError : errno))")
        }
        pngFilesWritten += 1
    }

    // MARK: - Cleanup and errors

    /// Frees every FFmpeg object (closing the temporary file without a trailer). Idempotent.
    func releaseFFmpeg() {
        audioLane = nil
        if let formatContext {
            if formatContext.pointee.pb != nil {
                avio_closep(&formatContext.pointee.pb)
            }
            avformat_free_context(formatContext)
            self.formatContext = nil
            stream = nil
        }
        avcodec_free_context(&codecContext)
        av_frame_free(&frame)
        av_frame_free(&rgbFrame)
        av_packet_free(&packet)
        if let scaler {
            sws_freeContext(scaler)
            self.scaler = nil
        }
    }

    var stateName: String {
        switch state {
        case .open: return "open"
        case .finished: return "finished"
        case .cancelled: return "cancelled"
        }
    }

    /// Throws a ``PSGANError`` naming the output when an FFmpeg call returned a negative status.
    func check(_ status: Int32, _ what: String) throws {
        if status < 0 {
            throw PSGANError(.video, "\(path): \(what): \(Self.ffmpegMessage(status))")
        }
    }

    static func ffmpegMessage(_ status: Int32) -> String { FFmpegLog.message(status) }

    static func posixMessage(_ code: Int32) -> String {
        ErrorText.reason(errno: code)
    }
}
