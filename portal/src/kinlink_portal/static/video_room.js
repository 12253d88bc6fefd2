// A visit's video room. With LiveKit (data-provider="livekit") the page joins the room of its
// join ticket with LiveKit's browser client, publishes the camera and microphone and shows the
// other side; with the simulated provider it shows the camera only. What is said comes from the
// page's [data-say-room] and [data-say-other] sentences (its language).
(() => {
  const said = (kind, state) => {
    const sentence = document.querySelector(`[data-say-${kind}="${state}"]`);
    return sentence ? sentence.textContent : state;
  };
  const sayRoom = (state) => {
    const shown = document.querySelector("[data-room-state]");
    shown.dataset.roomState = state;
    shown.textContent = said("room", state);
  };
  const sayOther = (state) => {
    const shown = document.querySelector("[data-other-side]");
    shown.dataset.otherSide = state;
    shown.textContent = said("other", state);
  };

  const joinLivekit = async (place, leave) => {
    const { Room, RoomEvent, Track } = window.LivekitClient;
    const room = new Room({ adaptiveStream: true, dynacast: true });
    const remote = place.querySelector("[data-remote-view]");
    room.on(RoomEvent.TrackSubscribed, (track) => {
      if (track.kind === Track.Kind.Video || track.kind === Track.Kind.Audio) {
        remote.appendChild(track.attach());
      }
    });
    room.on(RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()));
    room.on(RoomEvent.ParticipantConnected, () => sayOther("here"));
    room.on(RoomEvent.ParticipantDisconnected, () => sayOther("away"));
    room.on(RoomEvent.Disconnected, () => {
      sayRoom("disconnected");
      sayOther("away");
      leave.hidden = true;
    });
    // The devices the Video Test checked: the page's own stream feeds the self view and meter.
    const stream = await window.kinlinkDevices.start();
    await room.connect(place.dataset.url, place.dataset.token);
    if (stream) {
      for (const track of stream.getTracks()) {
        await room.localParticipant.publishTrack(track);
      }
    }
    if (room.remoteParticipants.size > 0) {
      sayOther("here");
    }
    leave.addEventListener("click", () => room.disconnect());
    return room;
  };

  // The embedded mode's simulated room: the portal presents the token to the simulated
  // provider, which reports the join as LiveKit's webhook would.
  const joinSimulated = async (place) => {
    await window.kinlinkDevices.start();
    const form = new FormData();
    form.append("token", place.dataset.token);
    form.append("csrf_token", document.querySelector("[data-hang-up] [name=csrf_token]").value);
    const answer = await fetch("/video-room/join", { method: "POST", body: form });
    if (!answer.ok) {
      throw new Error(`the simulated room refused: ${answer.status}`);
    }
    // The simulated provider tells the page nothing of the other side.
    document.querySelector("[data-other-side]").hidden = true;
  };

  document.addEventListener("DOMContentLoaded", async () => {
    const place = document.querySelector("[data-room]");
    if (!place) {
      return;
    }
    const leave = document.querySelector("[data-leave]");
    const hangUp = document.querySelector("[data-hang-up]");
    let room = null;
    try {
      if (place.dataset.provider === "livekit") {
        room = await joinLivekit(place, leave);
      } else {
        await joinSimulated(place);
      }
    } catch (error) {
      console.error("joining the video room failed", error);
      sayRoom("failed");
      return;
    }
    sayRoom("connected");
    // A simulated participant cannot step out: only Hang up ends their part.
    leave.hidden = room === null;
    // Hanging up leaves the room before the visit is ended for good.
    hangUp.addEventListener("submit", () => {
      if (room) {
        room.disconnect();
      }
      window.kinlinkDevices.stop();
    });
  });
})();
