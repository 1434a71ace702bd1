import CFFmpeg
import Foundation

/// The audio stream of a video being written: an ``AudioTrack`` copied or encoded into the same
/// file as the frames, written a little at a time as the frames come.
///
/// It is set up before the file's header (``init(track:container:output:path:)`` opens the audio,
/// reads or decodes its first packet and adds the stream), so an audio file that cannot be used
/// fails before any frame is rendered. ``write(until:)`` then lays the audio up to each frame's time
/// under the video, and ``finish(videoSeconds:)`` the rest: cut at the video's end unless the
/// track keeps its length. Only a few packets are ever held in memory.
final class AudioLane {
    /// Which codecs each container takes as they are (copied, so lossy audio is not encoded twice):
    /// AAC and MP3 in .mp4, .mov and .mkv; Opus in .mp4, .mkv and .webm; Vorbis in .mkv and .webm.
    /// Everything else (PCM, FLAC, ALAC, ...) is encoded to AAC, or Opus for .webm.
    static func copies(_ codec: AVCodecID, into container: VideoContainer) -> Bool {
        switch codec {
        case AV_CODEC_ID_AAC, AV_CODEC_ID_MP3: return [.mp4, .mov, .mkv].contains(container)
        case AV_CODEC_ID_OPUS: return [.mp4, .mkv, .webm].contains(container)
        case AV_CODEC_ID_VORBIS: return [.mkv, .webm].contains(container)
        default: return false
        }
    }

    private let track: AudioTrack
    private let input: AudioInput
    private let output: UnsafeMutablePointer<AVFormatContext>
    private let stream: UnsafeMutablePointer<AVStream>
    /// Encodes the audio; nil when its packets are copied.
    private let encoding: AudioEncoding?
    /// The time base of the packets handed to the muxer (before it rescales them to the stream's).
    private let timeBase: AVRational
    /// The output path, for messages.
    private let path: String

    // Copying: the packet read but not yet written (it lies past the time asked for), the source
    // timestamp taken as the track's time 0, and the offset in the source's time base.
    private var pending: UnsafeMutablePointer<AVPacket>?
    private var first: Int64?
    private var shift: Int64 = 0
    private var exhausted = false

    /// Whether the audio is copied as it is (not encoded).
    var copied: Bool { encoding == nil }

    /// Opens `track` for a `container` file and adds its stream to `output`, whose header is not
    /// written yet; reads (copied) or decodes and resamples (encoded) its first audio.
    init(track: AudioTrack, container: VideoContainer, output: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        self.track = track
        self.output = output
        self.path = path
        input = try AudioInput(track: track)
        guard let stream = avformat_new_stream(output, nil) else { throw PSGANError(.video, "\(path): out of memory") }
        self.stream = stream
        let source = input.stream
        if Self.copies(source.pointee.codecpar.pointee.codec_id, into: container) {
            encoding = nil
            timeBase = source.pointee.time_base
            guard avcodec_parameters_copy(stream.pointee.codecpar, source.pointee.codecpar) >= 0 else {
                throw PSGANError(.video, "\(path): out of memory")
            }
            stream.pointee.codecpar.pointee.codec_tag = 0
            shift = Int64((track.offset / av_q2d(timeBase)).rounded())
            pending = av_packet_alloc()
            guard pending != nil else { throw PSGANError(.video, "\(path): out of memory") }
            guard try readPacket() else {
                throw PSGANError(.input, file: input.path, "has no audio to lay under the video (no packets after the offset)")
            }
        } else {
            let encoding = try AudioEncoding(input: input.context, stream: input.index, webm: container == .webm,
                                             offset: track.offset, path: input.path)
            self.encoding = encoding
            timeBase = encoding.timeBase
            guard let encoder = encoding.encoder, avcodec_parameters_from_context(stream.pointee.codecpar, encoder) >= 0 else {
                throw PSGANError(.video, "\(path): cannot set up the audio stream")
            }
            try encoding.prime()
        }
        stream.pointee.time_base = timeBase
    }

    deinit {
        av_packet_free(&pending)
    }

    /// Writes the audio that starts before `seconds` on the output's timeline.
    func write(until seconds: Double) throws {
        if let encoding {
            try encoding.encode(upTo: Int64((seconds * Double(AudioEncoding.sampleRate)).rounded(.down)), final: false, emit: mux)
        } else {
            try copy(before: seconds)
        }
    }

    /// Writes the rest of the audio: up to `videoSeconds` (the video's end), or all of it when the
    /// track keeps its length.
    func finish(videoSeconds: Double) throws {
        let end: Double? = track.keepLength ? nil : videoSeconds
        if let encoding {
            try encoding.encode(upTo: end.map { Int64(($0 * Double(AudioEncoding.sampleRate)).rounded()) }, final: true, emit: mux)
        } else {
            try copy(before: end ?? .infinity)
        }
    }

    // MARK: - Copying

    /// Writes the pending packet and those after it that start before `seconds`.
    private func copy(before seconds: Double) throws {
        while !exhausted, let packet = pending {
            guard Double(packet.pointee.pts) * av_q2d(timeBase) < seconds else { return }
            try mux(packet)
            av_packet_unref(packet)
            _ = try readPacket()
        }
    }

    /// Reads the next packet of the audio stream into ``pending`` with its timestamps on the
    /// output's timeline (packets the offset skips are dropped); false at the end of the file.
    private func readPacket() throws -> Bool {
        guard let packet = pending else { return false }
        while true {
            let status = av_read_frame(input.context, packet)
            if status == psgan_averror_eof() {
                exhausted = true
                return false
            }
            guard status >= 0 else { throw PSGANError(.input, file: input.path, "cannot read the audio (\(FFmpegLog.message(status)))") }
            guard Int(packet.pointee.stream_index) == input.index, packet.pointee.pts != psgan_av_nopts_value() else {
                av_packet_unref(packet)
                continue
            }
            // The stream's own start (often not 0) is the track's time 0.
            if first == nil { first = packet.pointee.pts }
            let pts = packet.pointee.pts - first! + shift
            guard pts >= 0 else {
                av_packet_unref(packet)
                continue
            }
            packet.pointee.pts = pts
            packet.pointee.dts = pts
            packet.pointee.pos = -1
            return true
        }
    }

    // MARK: - Muxing

    /// Hands one packet (in ``timeBase``) to the muxer; it keeps its own copy.
    private func mux(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        var cloned: UnsafeMutablePointer<AVPacket>? = av_packet_clone(packet)
        defer { av_packet_free(&cloned) }
        guard let copy = cloned else { throw PSGANError(.video, "\(path): out of memory") }
        av_packet_rescale_ts(copy, timeBase, stream.pointee.time_base)
        copy.pointee.stream_index = stream.pointee.index
        let status = av_interleaved_write_frame(output, copy)
        if status < 0 { throw PSGANError(.video, "\(path): cannot write the audio: \(FFmpegLog.message(status))") }
    }
}
