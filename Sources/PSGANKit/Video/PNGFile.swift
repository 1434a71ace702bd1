import CFFmpeg
import Foundation

/// Writes single PNG images with FFmpeg's `png` encoder (RGB24, lossless).
public enum PNGFile {
    /// The PNG bytes for `image`; `path` names the destination in errors.
    public static func encode(_ image: RGBImage, path: String = "image") throws -> Data {
        FFmpegLog.start()
        guard let encoder = avcodec_find_encoder_by_name("png") else {
            throw PSGANError(.video, "\(path): encoder png is not available in this FFmpeg build")
        }
        var context = avcodec_alloc_context3(encoder)
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer {
            avcodec_free_context(&context)
            av_frame_free(&frame)
            av_packet_free(&packet)
        }
        guard let context, let frame, let packet else { throw PSGANError(.video, "\(path): out of memory") }
        context.pointee.width = Int32(image.width)
        context.pointee.height = Int32(image.height)
        context.pointee.pix_fmt = AV_PIX_FMT_RGB24
        context.pointee.time_base = AVRational(num: 1, den: 1)
        try check(avcodec_open2(context, encoder, nil), path, "cannot open the png encoder")
        frame.pointee.format = AV_PIX_FMT_RGB24.rawValue
        frame.pointee.width = Int32(image.width)
        frame.pointee.height = Int32(image.height)
        try check(av_frame_get_buffer(frame, 0), path, "cannot allocate a frame")
        guard let plane = frame.pointee.data.0 else { throw PSGANError(.video, "\(path): cannot allocate a frame") }
        let stride = Int(frame.pointee.linesize.0), rowBytes = image.width * 3
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<image.height {
                (plane + y * stride).update(from: source.baseAddress! + y * rowBytes, count: rowBytes)
            }
        }
        frame.pointee.pts = 0
        try check(avcodec_send_frame(context, frame), path, "png encoder rejected the image")
        try check(avcodec_send_frame(context, nil), path, "png encoder failed")
        var bytes = Data()
        while true {
            let status = avcodec_receive_packet(context, packet)
            if status == psgan_averror_eof() || status == psgan_averror_eagain() { break }
            try check(status, path, "png encoder failed")
            bytes.append(packet.pointee.data, count: Int(packet.pointee.size))
            av_packet_unref(packet)
        }
        guard !bytes.isEmpty else { throw PSGANError(.video, "\(path): png encoder produced nothing") }
        return bytes
    }

    /// Writes `image` to `url` as a PNG, atomically: the bytes go to a hidden temporary name
    /// beside it, renamed onto `url` only when complete (replacing an existing file).
    /// `text` (provenance) goes into `tEXt` chunks.
    public static func write(_ image: RGBImage, to url: URL, text: [String: String] = [:]) throws {
        let path = url.path
        var bytes = try encode(image, path: path)
        if !text.isEmpty { bytes = insertingText(text, into: bytes) }
        // (No stale clean-up here: this runs once per frame of a directory; callers writing one
        // image clean up once, see PartialOutput.)
        let temporary = PartialOutput(output: url, keepsExtension: true).temporaryURL
        do {
            try bytes.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw PSGANError(.video, "cannot write '\(path)': \(ErrorText.reason(error))")
        }
        if rename(temporary.path, path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw PSGANError(.video, "cannot write '\(path)': \(ErrorText.reason(errno: code))")
        }
    }

    private static func check(_ status: Int32, _ path: String, _ what: String) throws {
        if status < 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            throw PSGANError(.video, "\(path): \(what): \(String(cString: psgan_av_err2str(status, &buffer, buffer.count)))")
        }
    }
}

extension PNGFile {
    /// `png` with a `tEXt` chunk for each of `text` (keys in order) inserted after its header
    /// (`IHDR`); keys are cut to PNG's 79 bytes and values stored as Latin-1 where they can be
    /// (other characters become `?`). Unchanged when `png` is not a PNG or `text` is empty.
    public static func insertingText(_ text: [String: String], into png: Data) -> Data {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard !text.isEmpty, png.count >= 33, Array(png.prefix(8)) == signature else { return png }
        let ihdrLength = Int(png[8]) << 24 | Int(png[9]) << 16 | Int(png[10]) << 8 | Int(png[11])
        let insertAt = 8 + 12 + ihdrLength
        guard insertAt <= png.count else { return png }
        var chunks = Data()
        for (key, value) in text.sorted(by: { $0.key < $1.key }) {
            func latin1(_ s: String) -> [UInt8] { s.unicodeScalars.map { $0.value < 256 && $0.value != 0 ? UInt8($0.value) : 0x3F } }
            let body = Array("tEXt".utf8) + Array(latin1(key).prefix(79)) + [0] + latin1(value)
            let length = UInt32(body.count - 4)
            chunks.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
            chunks.append(contentsOf: body)
            let crc = body.withUnsafeBufferPointer { buffer in
                av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), 0xFFFF_FFFF, buffer.baseAddress, buffer.count) ^ 0xFFFF_FFFF
            }
            chunks.append(contentsOf: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        }
        var result = png.prefix(insertAt)
        result.append(chunks)
        result.append(png.suffix(from: insertAt))
        return Data(result)
    }
}
