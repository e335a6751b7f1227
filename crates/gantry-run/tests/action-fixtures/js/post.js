const e = process.env;
console.log(`post ${e.INPUT_LABEL} token=${e.STATE_token} pre=${e.STATE_from_pre}`);
if (e.INPUT_FAIL === 'post') {
  console.log('::error::post failed on purpose');
  process.exit(2);
}
