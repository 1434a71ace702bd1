import CFFmpeg
import Foundation

/// Decodes an audio stream and encodes it to AAC (Opus for WebM) at 48 kHz, for containers that
/// cannot hold the source's codec.
final class AudioEncoding {
    /// The output sample rate.
    static let sampleRate: Int32 = 48_000

    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private(set) var encoder: UnsafeMutablePointer<AVCodecContext>
    private var resampler: OpaquePointer?
    private var fifo: OpaquePointer?
    private let path: String
    /// 1 / 48000.
    let timeBase = AVRational(num: 1, den: AudioEncoding.sampleRate)

    /// Opens a decoder for `stream` and the encoder for the container (`webm`: Opus, else AAC).
    init(decoding stream: UnsafeMutablePointer<AVStream>, webm: Bool, path: String) throws {
        self.path = path
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id), let decoder = avcodec_alloc_context3(codec) else {
            throw PSGANError(.input, file: path, "no decoder for its audio codec in this FFmpeg build")
        }
        self.decoder = decoder
        avcodec_parameters_to_context(decoder, parameters)
        decoder.pointee.pkt_timebase = stream.pointee.time_base
        guard avcodec_open2(decoder, codec, nil) >= 0 else { throw PSGANError(.input, file: path, "cannot open its audio decoder") }

        let name = webm ? "libopus" : "aac"
        guard let encoderCodec = avcodec_find_encoder_by_name(name), let encoder = avcodec_alloc_context3(encoderCodec) else {
            throw PSGANError(.video, file: path, "the \(name) encoder is not available in this FFmpeg build")
        }
        self.encoder = encoder
        let channels = min(2, max(1, Int32(decoder.pointee.ch_layout.nb_channels)))
        av_channel_layout_default(&encoder.pointee.ch_layout, channels)
        encoder.pointee.sample_rate = Self.sampleRate
        encoder.pointee.sample_fmt = encoderCodec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        encoder.pointee.bit_rate = webm ? 128_000 : 192_000
        encoder.pointee.time_base = timeBase
        encoder.pointee.flags |= psgan_codec_flag_global_header()
        let opened = avcodec_open2(encoder, encoderCodec, nil)
        guard opened >= 0 else { throw PSGANError(.video, file: path, "cannot open the \(name) encoder (\(FFmpegLog.message(opened)))") }

        var input = decoder.pointee.ch_layout
        if input.nb_channels == 0 || input.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&input, max(1, decoder.pointee.ch_layout.nb_channels))
        }
        var output = encoder.pointee.ch_layout
        guard swr_alloc_set_opts2(&resampler, &output, encoder.pointee.sample_fmt, Self.sampleRate,
                                  &input, decoder.pointee.sample_fmt, decoder.pointee.sample_rate, 0, nil) >= 0,
              swr_init(resampler) >= 0 else {
            throw PSGANError(.input, file: path, "cannot convert its audio to \(Self.sampleRate) Hz")
        }
        fifo = av_audio_fifo_alloc(encoder.pointee.sample_fmt, channels, 1)
        guard fifo != nil else { throw PSGANError(.input, file: path, "out of memory") }
    }

    /// Frees the codecs, the resampler and the queue.
    func close() {
        avcodec_free_context(&decoder)
        var encoder: UnsafeMutablePointer<AVCodecContext>? = self.encoder
        avcodec_free_context(&encoder)
        swr_free(&resampler)
        if let fifo { av_audio_fifo_free(fifo) }
        fifo = nil
    }

    /// Every encoded packet of the stream, starting `offset` seconds into the output (negative:
    /// that much of the audio skipped) and cut at `limit` seconds.
    func encodeAll(from input: UnsafeMutablePointer<AVFormatContext>, stream index: Int, offset: Double,
                   limit: Double?) throws -> [UnsafeMutablePointer<AVPacket>] {
        var packets: [UnsafeMutablePointer<AVPacket>] = []
        var skip = offset < 0 ? Int((-offset * Double(Self.sampleRate)).rounded()) : 0
        let start = offset > 0 ? Int64((offset * Double(Self.sampleRate)).rounded()) : 0
        let stop = limit.map { Int64(($0 * Double(Self.sampleRate)).rounded()) }
        var written: Int64 = 0  // samples queued for the encoder so far
        var packet: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        var decoded: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_packet_free(&packet); av_frame_free(&decoded) }
        guard let packet, let decoded, let decoder, let fifo else { throw PSGANError(.input, file: path, "out of memory") }

        /// Resamples one decoded frame (nil: the resampler's tail) into the queue, dropping what
        /// the offset skips and what lies past the stop.
        func queue(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
            var converted: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
            defer { av_frame_free(&converted) }
            guard let converted else { throw PSGANError(.input, file: path, "out of memory") }
            converted.pointee.ch_layout = encoder.pointee.ch_layout
            converted.pointee.format = encoder.pointee.sample_fmt.rawValue
            converted.pointee.sample_rate = Self.sampleRate
            let status = swr_convert_frame(resampler, converted, frame)
            guard status >= 0 else { throw PSGANError(.input, file: path, "cannot resample the audio (\(FFmpegLog.message(status)))") }
            var count = Int(converted.pointee.nb_samples)
            guard count > 0 else { return }
            if skip > 0 {
                let dropped = min(skip, count)
                skip -= dropped
                guard dropped < count else { return }
                // Keep the tail: move it to the front of each plane.
                let bytes = Int(av_get_bytes_per_sample(encoder.pointee.sample_fmt))
                let planar = av_sample_fmt_is_planar(encoder.pointee.sample_fmt) != 0
                let planes = planar ? Int(encoder.pointee.ch_layout.nb_channels) : 1
                let stride = planar ? bytes : bytes * Int(encoder.pointee.ch_layout.nb_channels)
                for plane in 0 ..< planes {
                    let base = converted.pointee.extended_data[plane]!
                    memmove(base, base + dropped * stride, (count - dropped) * stride)
                }
                count -= dropped
                converted.pointee.nb_samples = Int32(count)
            }
            if let stop, start + written + Int64(count) > stop {
                count = max(0, Int(stop - start - written))
                converted.pointee.nb_samples = Int32(count)
            }
            guard count > 0 else { return }
            guard psgan_fifo_write(fifo, converted) == Int32(count) else { throw PSGANError(.input, file: path, "out of memory") }
            written += Int64(count)
        }

        var encodedSamples: Int64 = 0
        /// Sends whole encoder frames from the queue (all that is left when `flush`), then collects packets.
        func drain(flush: Bool) throws {
            let size = encoder.pointee.frame_size > 0 ? Int(encoder.pointee.frame_size) : 1024
            while av_audio_fifo_size(fifo) >= Int32(size) || (flush && av_audio_fifo_size(fifo) > 0) {
                let n = min(size, Int(av_audio_fifo_size(fifo)))
                var frame: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
                defer { av_frame_free(&frame) }
                guard let frame else { throw PSGANError(.input, file: path, "out of memory") }
                frame.pointee.nb_samples = Int32(n)
                frame.pointee.ch_layout = encoder.pointee.ch_layout
                frame.pointee.format = encoder.pointee.sample_fmt.rawValue
                frame.pointee.sample_rate = Self.sampleRate
                guard av_frame_get_buffer(frame, 0) >= 0, psgan_fifo_read(fifo, frame, Int32(n)) == Int32(n) else {
                    throw PSGANError(.input, file: path, "out of memory")
                }
                frame.pointee.pts = start + encodedSamples
                encodedSamples += Int64(n)
                try send(frame)
            }
            if flush { try send(nil) }
        }
        func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
            let status = avcodec_send_frame(encoder, frame)
            guard status >= 0 else { throw PSGANError(.video, file: path, "cannot encode the audio (\(FFmpegLog.message(status)))") }
            while true {
                guard let out = av_packet_alloc() else { throw PSGANError(.input, file: path, "out of memory") }
                let received = avcodec_receive_packet(encoder, out)
                if received == psgan_averror_eagain() || received == psgan_averror_eof() {
                    var unused: UnsafeMutablePointer<AVPacket>? = out
                    av_packet_free(&unused)
                    return
                }
                guard received >= 0 else { throw PSGANError(.video, file: path, "cannot encode the audio (\(FFmpegLog.message(received)))") }
                packets.append(out)
            }
        }
        func receiveDecoded() throws {
            while true {
                let status = avcodec_receive_frame(decoder, decoded)
                if status == psgan_averror_eagain() || status == psgan_averror_eof() { return }
                guard status >= 0 else { throw PSGANError(.input, file: path, "cannot decode the audio (\(FFmpegLog.message(status)))") }
                try queue(decoded)
                av_frame_unref(decoded)
                try drain(flush: false)
            }
        }

        while true {
            if let stop, start + written >= stop { break }
            let status = av_read_frame(input, packet)
            if status == psgan_averror_eof() { break }
            guard status >= 0 else { throw PSGANError(.input, file: path, "cannot read the audio (\(FFmpegLog.message(status)))") }
            defer { av_packet_unref(packet) }
            guard Int(packet.pointee.stream_index) == index else { continue }
            guard avcodec_send_packet(decoder, packet) >= 0 else { continue }  // a damaged packet is skipped
            try receiveDecoded()
        }
        avcodec_send_packet(decoder, nil)
        try receiveDecoded()
        if stop.map({ start + written < $0 }) ?? true { try queue(nil) }
        try drain(flush: true)
        return packets
    }
}
