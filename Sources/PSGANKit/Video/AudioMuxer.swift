import CFFmpeg
import Foundation

/// Lays an audio track under a finished video: the video's packets copied, the audio's copied or
/// encoded (``AudioPackets``), interleaved by time into a new file of the same container.
enum AudioMuxer {
    /// Writes `video` (one video stream) with `track` into `output`, a `container` file; the audio is
    /// cut at `videoSeconds` unless the track keeps its length. `path` names the output in messages.
    static func mux(video: URL, videoSeconds: Double, track: AudioTrack, container: VideoContainer,
                    into output: URL, path: String) throws {
        FFmpegLog.start()
        func check(_ status: Int32, _ what: String) throws {
            if status < 0 { throw PSGANError(.video, "\(path): \(what): \(FFmpegLog.message(status))") }
        }
        var opening: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_open_input(&opening, video.path, nil, nil), "cannot reopen the video to add audio")
        guard let input = opening else { throw PSGANError(.video, "\(path): cannot reopen the video to add audio") }
        defer { avformat_close_input(&opening) }
        try check(avformat_find_stream_info(input, nil), "cannot reopen the video to add audio")
        guard input.pointee.nb_streams >= 1, let inputStream = input.pointee.streams[0] else {
            throw PSGANError(.video, "\(path): the video has no stream")
        }

        var creating: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&creating, nil, container.muxerName, output.path), "cannot set up the muxer")
        guard let out = creating else { throw PSGANError(.video, "\(path): cannot set up the muxer") }
        defer {
            if out.pointee.pb != nil { avio_closep(&out.pointee.pb) }
            avformat_free_context(out)
        }
        let audio = try AudioPackets(track: track, format: out.pointee.oformat, webm: container == .webm,
                                     limit: track.keepLength ? nil : videoSeconds)

        guard let videoStream = avformat_new_stream(out, nil), let audioStream = avformat_new_stream(out, nil) else {
            throw PSGANError(.video, "\(path): out of memory")
        }
        try check(avcodec_parameters_copy(videoStream.pointee.codecpar, inputStream.pointee.codecpar), "cannot copy the video stream")
        videoStream.pointee.time_base = inputStream.pointee.time_base
        videoStream.pointee.avg_frame_rate = inputStream.pointee.avg_frame_rate
        videoStream.pointee.r_frame_rate = inputStream.pointee.r_frame_rate
        av_dict_copy(&videoStream.pointee.metadata, inputStream.pointee.metadata, 0)
        try check(avcodec_parameters_copy(audioStream.pointee.codecpar, audio.parameters), "cannot set up the audio stream")
        audioStream.pointee.time_base = audio.timeBase
        av_dict_copy(&out.pointee.metadata, input.pointee.metadata, 0)
        av_dict_set(&out.pointee.metadata, "encoder", nil, 0)

        try check(avio_open(&out.pointee.pb, output.path, AVIO_FLAG_WRITE), "cannot write")
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if container == .mp4 || container == .mov {
            av_dict_set(&options, "movflags", "+faststart+use_metadata_tags", 0)
        }
        try check(avformat_write_header(out, &options), "cannot write the file header")

        var next = 0
        /// Writes the audio packets that start before `seconds` (all of them for nil).
        func writeAudio(before seconds: Double?) throws {
            while next < audio.packets.count {
                let stored = audio.packets[next]
                if let seconds, Double(stored.pointee.dts) * av_q2d(audio.timeBase) > seconds { return }
                guard let packet = av_packet_clone(stored) else { throw PSGANError(.video, "\(path): out of memory") }
                var owned: UnsafeMutablePointer<AVPacket>? = packet
                defer { av_packet_free(&owned) }
                av_packet_rescale_ts(packet, audio.timeBase, audioStream.pointee.time_base)
                packet.pointee.stream_index = audioStream.pointee.index
                try check(av_interleaved_write_frame(out, packet), "cannot write the audio")
                next += 1
            }
        }
        var reading: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        defer { av_packet_free(&reading) }
        guard let packet = reading else { throw PSGANError(.video, "\(path): out of memory") }
        while true {
            let status = av_read_frame(input, packet)
            if status == psgan_averror_eof() { break }
            try check(status, "cannot read back the video")
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == 0 else { continue }
            let time = packet.pointee.dts == psgan_av_nopts_value() ? 0 : Double(packet.pointee.dts) * av_q2d(inputStream.pointee.time_base)
            try writeAudio(before: time)
            av_packet_rescale_ts(packet, inputStream.pointee.time_base, videoStream.pointee.time_base)
            packet.pointee.stream_index = videoStream.pointee.index
            packet.pointee.pos = -1
            try check(av_interleaved_write_frame(out, packet), "cannot write the video")
        }
        try writeAudio(before: nil)
        try check(av_write_trailer(out), "cannot complete the file")
        try check(avio_closep(&out.pointee.pb), "cannot write")
    }
}
