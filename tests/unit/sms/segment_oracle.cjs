// Twilio's segment calculator (npm sms-segments-calculator, its path the first argument) over a
// batch of messages: a JSON array of texts on stdin; on stdout, for each, its encoding, segments,
// units (septets in GSM-7, UTF-16 code units in UCS-2) and the text of each part.
const { SegmentedMessage } = require(process.argv[2]);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
});
process.stdin.on('end', () => {
  const answers = JSON.parse(input).map((text) => {
    const message = new SegmentedMessage(text);
    return {
      encoding: message.encodingName,
      segments: message.segmentsCount,
      units: message.encodedChars.reduce((sum, char) => sum + char.codeUnits.length, 0),
      // a Segment is an Array subclass whose constructor adds headers: copied to a plain Array
      parts: message.segments.map((segment) =>
        Array.from(segment)
          .filter((char) => !char.isUserDataHeader)
          .map((char) => char.raw)
          .join(''),
      ),
    };
  });
  process.stdout.write(JSON.stringify(answers));
});
