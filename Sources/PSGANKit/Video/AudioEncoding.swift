import CFFmpeg
import Foundation

/// Decodes an audio stream and encodes it to AAC (Opus for WebM) at 48 kHz, a little at a time, for
/// containers that do not take the source's codec.
///
/// The samples run on the output's timeline: the first decoded sample lands at `offset` seconds
/// (a negative offset drops that much of the audio's start). ``encode(upTo:final:emit:)`` encodes
/// whole encoder frames that end by a given sample and hands out their packets, decoding only as
/// much of the file as that needs, so a track of any length takes a few frames of memory.
final class AudioEncoding {
    /// The output sample rate.
    static let sampleRate: Int32 = 48_000
    /// 1 / 48000.
    let timeBase = AVRational(num: 1, den: AudioEncoding.sampleRate)

    private let input: UnsafeMutablePointer<AVFormatContext>
    private let index: Int
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private(set) var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private var fifo: OpaquePointer?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var encoded: UnsafeMutablePointer<AVPacket>?
    private var decoded: UnsafeMutablePointer<AVFrame>?
    private let path: String
    /// Output samples still to drop from the start (a negative offset).
    private var skip: Int
    /// The output sample the first kept sample lands on (a positive offset).
    private let start: Int64
    /// Samples handed to the encoder so far.
    private var encodedSamples: Int64 = 0
    /// Whether the file has no more packets (the decoder and resampler are drained then too).
    private var exhausted = false
    /// Whether the encoder has been flushed.
    private var flushed = false

    /// Opens a decoder for stream `index` of `input` (which the caller keeps open for this object's
    /// life) and the encoder for the container (`webm`: Opus, else AAC).
    init(input: UnsafeMutablePointer<AVFormatContext>, stream index: Int, webm: Bool, offset: Double, path: String) throws {
        self.input = input
        self.index = index
        self.path = path
        skip = offset < 0 ? Int((-offset * Double(Self.sampleRate)).rounded()) : 0
        start = offset > 0 ? Int64((offset * Double(Self.sampleRate)).rounded()) : 0
        let parameters = input.pointee.streams[index]!.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id), let decoder = avcodec_alloc_context3(codec) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw PSGANError(.input, file: path, "cannot decode its audio codec '\(name)' (not in this FFmpeg build)")
        }
        self.decoder = decoder
        avcodec_parameters_to_context(decoder, parameters)
        decoder.pointee.pkt_timebase = input.pointee.streams[index]!.pointee.time_base
        let opened = avcodec_open2(decoder, codec, nil)
        guard opened >= 0 else { throw PSGANError(.input, file: path, "cannot open its audio decoder (\(FFmpegLog.message(opened)))") }

        let name = webm ? "libopus" : "aac"
        guard let encoderCodec = avcodec_find_encoder_by_name(name), let encoder = avcodec_alloc_context3(encoderCodec) else {
            throw PSGANError(.video, file: path, "the \(name) encoder is not available in this FFmpeg build")
        }
        self.encoder = encoder
        // Mono stays mono; stereo and more channels are mixed to stereo.
        let channels = min(2, max(1, Int32(parameters.pointee.ch_layout.nb_channels)))
        av_channel_layout_default(&encoder.pointee.ch_layout, channels)
        encoder.pointee.sample_rate = Self.sampleRate
        encoder.pointee.sample_fmt = encoderCodec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        encoder.pointee.bit_rate = webm ? 128_000 : 192_000
        encoder.pointee.time_base = timeBase
        encoder.pointee.flags |= psgan_codec_flag_global_header()
        let encoderOpened = avcodec_open2(encoder, encoderCodec, nil)
        guard encoderOpened >= 0 else {
            throw PSGANError(.video, file: path, "cannot open the \(name) encoder (\(FFmpegLog.message(encoderOpened)))")
        }
        resampler = swr_alloc()
        fifo = av_audio_fifo_alloc(encoder.pointee.sample_fmt, channels, 1)
        packet = av_packet_alloc()
        encoded = av_packet_alloc()
        decoded = av_frame_alloc()
        guard resampler != nil, fifo != nil, packet != nil, encoded != nil, decoded != nil else { throw PSGANError(.input, file: path, "out of memory") }
    }

    deinit {
        avcodec_free_context(&decoder)
        avcodec_free_context(&encoder)
        swr_free(&resampler)
        if let fifo { av_audio_fifo_free(fifo) }
        av_packet_free(&packet)
        av_packet_free(&encoded)
        av_frame_free(&decoded)
    }

    /// Decodes until the first samples are queued: proof that the file's audio can be decoded and
    /// resampled, before anything is rendered.
    func prime() throws {
        while let fifo, av_audio_fifo_size(fifo) == 0, !exhausted { try decodeMore() }
        guard let fifo, av_audio_fifo_size(fifo) > 0 else {
            throw PSGANError(.input, file: path, "has no audio to lay under the video (no samples after the offset)")
        }
    }

    /// Encodes the queued audio up to output sample `limit` and hands out every packet the encoder
    /// returns: whole encoder frames only, unless `final`, which also encodes the last partial frame
    /// (cut at `limit`; nil: the audio's end) and drains the encoder.
    func encode(upTo limit: Int64?, final: Bool, emit: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let encoder, let fifo, !flushed else { return }
        let size = encoder.pointee.frame_size > 0 ? Int64(encoder.pointee.frame_size) : 1024
        while true {
            let next = start + encodedSamples
            var wanted = size
            if let limit { wanted = min(size, limit - next) }
            guard wanted > 0 else { break }
            while Int64(av_audio_fifo_size(fifo)) < wanted, !exhausted { try decodeMore() }
            let available = min(wanted, Int64(av_audio_fifo_size(fifo)))
            // A partial frame only at the very end.
            guard available == size || (final && available > 0) else { break }
            try send(samples: Int(available), emit: emit)
            if available < size { break }
        }
        if final {
            flushed = true
            try receive(sending: nil, emit: emit)
        }
    }

    // MARK: - Decoding

    /// Reads the next packet of the stream and queues what it decodes to; at the end of the file,
    /// drains the decoder and the resampler.
    private func decodeMore() throws {
        guard let packet, let decoder else { return }
        while true {
            let status = av_read_frame(input, packet)
            if status == psgan_averror_eof() {
                avcodec_send_packet(decoder, nil)
                try receiveDecoded()
                try queue(nil)
                exhausted = true
                return
            }
            guard status >= 0 else { throw PSGANError(.input, file: path, "cannot read the audio (\(FFmpegLog.message(status)))") }
            defer { av_packet_unref(packet) }
            guard Int(packet.pointee.stream_index) == index else { continue }
            guard avcodec_send_packet(decoder, packet) >= 0 else { continue }  // a damaged packet is skipped
            try receiveDecoded()
            return
        }
    }

    private func receiveDecoded() throws {
        guard let decoder, let decoded else { return }
        while true {
            let status = avcodec_receive_frame(decoder, decoded)
            if status == psgan_averror_eagain() || status == psgan_averror_eof() { return }
            guard status >= 0 else { throw PSGANError(.input, file: path, "cannot decode the audio (\(FFmpegLog.message(status)))") }
            defer { av_frame_unref(decoded) }
            try queue(decoded)
        }
    }

    /// Resamples one decoded frame (nil: the resampler's tail) into the queue, dropping what the
    /// offset skips. The resampler is set up from the frames themselves (and again whenever they
    /// change layout, rate or format), not from the stream's header, which may leave them unset.
    private func queue(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        guard let encoder, let fifo else { return }
        var converting: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_frame_free(&converting) }
        guard let converted = converting else { throw PSGANError(.input, file: path, "out of memory") }
        av_channel_layout_copy(&converted.pointee.ch_layout, &encoder.pointee.ch_layout)
        converted.pointee.format = encoder.pointee.sample_fmt.rawValue
        converted.pointee.sample_rate = Self.sampleRate
        if let frame {
            if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame.pointee.ch_layout.nb_channels == 0 {
                let channels = max(1, frame.pointee.ch_layout.nb_channels)
                av_channel_layout_uninit(&frame.pointee.ch_layout)
                av_channel_layout_default(&frame.pointee.ch_layout, channels)
            }
            if swr_is_initialized(resampler) == 0 { try configure(converted, frame) }
        } else if swr_is_initialized(resampler) == 0 {
            return  // nothing was ever decoded
        }
        var status = swr_convert_frame(resampler, converted, frame)
        if psgan_averror_input_changed(status) != 0, let frame {
            try configure(converted, frame)
            status = swr_convert_frame(resampler, converted, frame)
        }
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
        guard psgan_fifo_write(fifo, converted) == Int32(count) else { throw PSGANError(.input, file: path, "out of memory") }
    }

    /// Sets the resampler up to turn frames like `frame` into `converted`'s layout, rate and format.
    private func configure(_ converted: UnsafeMutablePointer<AVFrame>, _ frame: UnsafeMutablePointer<AVFrame>) throws {
        swr_close(resampler)
        let status = swr_config_frame(resampler, converted, frame)
        let initialised = status >= 0 ? swr_init(resampler) : status
        guard initialised >= 0 else {
            throw PSGANError(.input, file: path, "cannot convert its audio (\(frame.pointee.sample_rate) Hz, "
                + "\(frame.pointee.ch_layout.nb_channels) channels) to \(Self.sampleRate) Hz (\(FFmpegLog.message(initialised)))")
        }
    }

    // MARK: - Encoding

    /// Sends the next `samples` queued samples to the encoder as one frame.
    private func send(samples: Int, emit: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let encoder, let fifo else { return }
        var allocated: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_frame_free(&allocated) }
        guard let frame = allocated else { throw PSGANError(.input, file: path, "out of memory") }
        frame.pointee.nb_samples = Int32(samples)
        av_channel_layout_copy(&frame.pointee.ch_layout, &encoder.pointee.ch_layout)
        frame.pointee.format = encoder.pointee.sample_fmt.rawValue
        frame.pointee.sample_rate = Self.sampleRate
        guard av_frame_get_buffer(frame, 0) >= 0, psgan_fifo_read(fifo, frame, Int32(samples)) == Int32(samples) else {
            throw PSGANError(.input, file: path, "out of memory")
        }
        frame.pointee.pts = start + encodedSamples
        encodedSamples += Int64(samples)
        try receive(sending: frame, emit: emit)
    }

    /// Sends `frame` (nil: the end) and hands out every packet the encoder has ready.
    private func receive(sending frame: UnsafeMutablePointer<AVFrame>?, emit: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let encoder, let packet = encoded else { return }
        let status = avcodec_send_frame(encoder, frame)
        guard status >= 0 else { throw PSGANError(.video, file: path, "cannot encode the audio (\(FFmpegLog.message(status)))") }
        while true {
            let received = avcodec_receive_packet(encoder, packet)
            if received == psgan_averror_eagain() || received == psgan_averror_eof() { return }
            guard received >= 0 else { throw PSGANError(.video, file: path, "cannot encode the audio (\(FFmpegLog.message(received)))") }
            defer { av_packet_unref(packet) }
            try emit(packet)
        }
    }
}
