/* test_output.c: placeholder. */
int main(void) { return 77; }
