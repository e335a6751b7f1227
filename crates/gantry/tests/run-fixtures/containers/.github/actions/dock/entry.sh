echo "dockerfile args: $1 | $2 | input=$INPUT_WORD env=$FROM_ACTION ws=$GITHUB_WORKSPACE"
echo "build context: $(ls -A /ctx | tr '\n' ' ')"
echo "said=$1" >> "$GITHUB_OUTPUT"
