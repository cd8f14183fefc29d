/* test_input.c: placeholder. */
int main(void) { return 77; }
